// A dialog and a message in a few words (the dialog list, the header, a desktop notification):
// what a dialog is called, and a message in one line where its files cannot be drawn. Only the
// panel's code names them, so this is not beside the list's model (state/dialogs.ts), which
// comes with the launcher.
import type { Attachment, Dialog } from '@imbachat/server/protocol';
import { plural, t } from '../i18n/index.ts';
import { partnerOf } from './dialogs.ts';

/** What a dialog is called: the group's title, or the partner's name. */
export function dialogName(dialog: Dialog, meId: string): string {
  return partnerOf(dialog, meId)?.name ?? dialog.title ?? '';
}

/** Its text, else "Photo" / "3 photos" when it carries only images, else "📎 report.pdf". */
export function gist(m: { text: string; attachments?: readonly Attachment[] }): string {
  const files = m.attachments ?? [];
  if (m.text.trim() !== '' || files.length === 0) return m.text;
  const file = files.find((a) => a.kind !== 'image');
  if (file) return `📎 ${file.name}`;
  return files.length === 1 ? t('photo') : plural('photos', files.length);
}
