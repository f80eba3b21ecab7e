// The composer's tray: one tile per file being attached — its local preview or a file icon, its
// name and size, a progress bar while it uploads, why it failed (and Retry where that can help),
// and a button that cancels or removes it. It scrolls sideways when the files do not fit.
import { useState } from 'preact/hooks';
import { MAX_ATTACHMENTS } from '@imbachat/server/protocol';
import type { MessageKey } from '../../i18n/en.ts';
import { t } from '../../i18n/index.ts';
import type { Upload, Uploads } from '../../state/uploads.ts';
import { formatSize } from '../format.ts';
import { CloseIcon, FileIcon } from '../icons.tsx';

/** What a refused or failed upload says, by the server's error code. */
const reasons: Record<string, MessageKey> = {
  file_too_large: 'upTooLarge',
  payload_too_large: 'upTooLarge',
  file_type_not_allowed: 'upTypeNotAllowed',
  file_type_mismatch: 'upTypeMismatch',
  file_unreadable: 'upUnreadable',
  rate_limited: 'upRateLimited',
  network: 'upNetwork',
};

export function Tray({ uploads, dialogId }: { uploads: Uploads; dialogId: number }) {
  const tray = uploads.tray(dialogId);
  const items = tray.items.value;
  const overflow = tray.overflow.value;
  if (items.length === 0 && !overflow) return null;
  return (
    <div class="tray-wrap">
      {overflow && (
        <p class="tray-note" role="status">
          {t('tooManyFiles', { n: MAX_ATTACHMENTS })}
        </p>
      )}
      {items.length > 0 && (
        <ul class="tray" aria-label={t('attachedFiles')}>
          {items.map((u) => (
            <Tile key={u.key} u={u} uploads={uploads} dialogId={dialogId} />
          ))}
        </ul>
      )}
    </div>
  );
}

function Tile({ u, uploads, dialogId }: { u: Upload; uploads: Uploads; dialogId: number }) {
  const [broken, setBroken] = useState(false);
  const name = u.file.name;
  const pct = Math.round(u.progress * 100);
  return (
    <li class={`tile ${u.status}`}>
      <span class="tile-art">
        {u.preview && !broken ? <img src={u.preview} alt="" onError={() => setBroken(true)} /> : <FileIcon />}
      </span>
      <span class="tile-meta">
        <span class="tile-name ellipsis" dir="auto" title={name}>
          {name}
        </span>
        {u.status === 'failed' ? (
          <span class="tile-why" role="alert" title={u.detail}>
            {t(reasons[u.error ?? ''] ?? 'upFailed')}
          </span>
        ) : u.status === 'done' ? (
          <span class="tile-size">{formatSize(u.file.size)}</span>
        ) : (
          <span class="bar" role="progressbar" aria-label={t('uploadingFile', { name })} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
            <span style={{ width: `${pct}%` }} />
          </span>
        )}
        {u.status === 'failed' && u.retryable && (
          <button type="button" class="retry" onClick={() => uploads.retry(dialogId, u.key)}>
            {t('retry')}
          </button>
        )}
      </span>
      <button type="button" class="tile-x" aria-label={t('removeFile', { name })} title={t('removeFile', { name })} onClick={() => uploads.remove(dialogId, u.key)}>
        <CloseIcon />
      </button>
    </li>
  );
}
