// The attach chunk: what a conversation needs only once files are involved — the uploads and the
// composer's tray, the image viewer and fresh signed links — with their texts and styles.
// state/files.ts imports it when the person first attaches, pastes or drops a file, opens an
// image, or a link needs refreshing.
// Loaded only from the later chunk, which is in by then: see groups.ts.
import './later.ts';
import { addEnglish } from './i18n/english.ts';
import { enAttach } from './i18n/en-attach.ts';
import type { FilesOptions } from './state/files.ts';
import { Links } from './state/links.ts';
import { Uploads } from './state/uploads.ts';
import { uploadFile } from './transport/upload.ts';
import attachCss from './ui/styles/attach.css?inline';
import { addStyles } from './ui/sheets.ts';

addEnglish(enAttach);
// Before the tray or the viewer first renders, so they never show unstyled.
addStyles(attachCss);

export { Tray } from './ui/components/Tray.tsx';
export { Lightbox } from './ui/components/Lightbox.tsx';

/** A chat's uploads (to …/uploads, with its token) and its links. */
export function start(o: FilesOptions): { uploads: Uploads; links: Links } {
  const upload = { url: `${o.base}/api/v1/${encodeURIComponent(o.devId)}/uploads`, token: () => o.session.token(), refreshToken: () => o.session.refreshToken() };
  const uploads = new Uploads({ send: (file, progress) => uploadFile(upload, file, progress), onError: (err) => o.onError(err, true) });
  // Without it the first too-large file is learnt from its 413 and the picker offers every file;
  // nothing else depends on it.
  o.talk.uploadPolicy().then(
    (p) => uploads.takePolicy(p ?? {}),
    () => {},
  );
  return { uploads, links: new Links(o.talk, o.messages, (err) => o.onError(err, true)) };
}
