// A message's files in the timeline: images as previews drawn at their final size from the
// server's dimensions (so the log does not jump as they load), which open the lightbox; other
// files as cards with their name, size and a download link. Names are text, never markup.
import type { Attachment } from '@imbachat/server/protocol';
import { THUMB_MAX_PX } from '@imbachat/server/protocol';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { expiresSoon } from '../../state/files.ts';
import type { ChatMessage } from '../../state/messages.ts';
import { formatSize } from '../format.ts';
import { DownloadIcon, FileIcon } from '../icons.tsx';

/** The longest side of a lone image in a bubble (it fits a 320 px wide screen); several share a grid of squares. */
const SHOT_PX = 240;
const GRID_PX = 118;

/** The box an image is drawn in: its own shape scaled down to `max`, within sane bounds for panoramas. */
export function fitBox(width: number | undefined, height: number | undefined, max: number): { width: number; height: number } {
  if (!width || !height || width <= 0 || height <= 0) return { width: max, height: Math.round(max * 0.75) };
  const scale = Math.min(1, max / width, max / height);
  return { width: Math.max(80, Math.round(width * scale)), height: Math.max(60, Math.round(height * scale)) };
}

export function Attachments({ chat, message: m }: { chat: Chat; message: ChatMessage }) {
  const images = m.attachments.filter((a) => a.kind === 'image');
  const others = m.attachments.filter((a) => a.kind !== 'image');
  return (
    <div class="atts">
      {images.length > 0 && (
        <div class={`shots${images.length > 1 ? ' grid' : ''}`}>
          {images.map((a, i) => (
            <Shot key={a.id} chat={chat} message={m} a={a} index={i} max={images.length > 1 ? GRID_PX : Math.min(SHOT_PX, THUMB_MAX_PX)} square={images.length > 1} />
          ))}
        </div>
      )}
      {others.map((a) => (
        <FileCard key={a.id} chat={chat} message={m} a={a} />
      ))}
    </div>
  );
}

interface PartProps {
  chat: Chat;
  message: ChatMessage;
  a: Attachment;
}

function Shot({ chat, message: m, a, index, max, square }: PartProps & { index: number; max: number; square: boolean }) {
  const files = chat.full().files;
  const src = files.href(a.thumb_url ?? a.url);
  const box = square ? { width: max, height: max } : fitBox(a.width, a.height, max);
  if (!src) return null;
  return (
    <button type="button" class="shot" aria-haspopup="dialog" title={a.name} onClick={() => files.openImage(m.dialog_id, m.key, index)}>
      <img src={src} alt={a.name} width={box.width} height={box.height} loading="lazy" decoding="async" onError={() => files.stale(m.dialog_id, m.key)} />
    </button>
  );
}

function FileCard({ chat, message: m, a }: PartProps) {
  const files = chat.full().files;
  const href = files.href(a.url);
  const sizeId = `fs-${m.key}-${a.id}`;
  const body = (
    <>
      <span class="file-art">
        <FileIcon />
      </span>
      <span class="file-meta">
        <span class="file-name ellipsis" dir="auto">
          {a.name}
        </span>
        <span class="file-size" id={sizeId}>
          {formatSize(a.size)}
        </span>
      </span>
    </>
  );
  if (!href) return <div class="file">{body}</div>;
  return (
    <a
      class="file"
      href={href}
      download={a.name}
      title={a.name}
      aria-label={t('download', { name: a.name })}
      aria-describedby={sizeId}
      onClick={(e) => {
        // A signed link past its time would fetch an error page: take a fresh one first.
        if (!expiresSoon(href)) return;
        e.preventDefault();
        files.download(m.dialog_id, m.key, a.id);
      }}
    >
      {body}
      <span class="file-get">
        <DownloadIcon />
      </span>
    </a>
  );
}
