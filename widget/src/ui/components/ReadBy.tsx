// "Read by N" under my last message someone read in a group; pressed (click, Enter, Space), it
// asks the server who read it and when (GET …/read-by), and lists them under the message.
import type { Dialog } from '@imbachat/server/protocol';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import type { ReadBy as Answer } from '../../state/groups.ts';
import { formatFull, formatShort } from '../format.ts';
import { Avatar } from './Avatar.tsx';

export function ReadBy({ chat, dialog, messageId, count }: { chat: Chat; dialog: Dialog; messageId: number; count: number }) {
  const [open, setOpen] = useState(false);
  const [answer, setAnswer] = useState<Answer | 'loading' | 'failed'>('loading');
  const listId = `ic-rb-${messageId}`;
  // Asked again when more people read it while the list is open.
  useEffect(() => {
    if (!open) return;
    let live = true;
    setAnswer((a) => (typeof a === 'object' ? a : 'loading'));
    chat.full().groups.readBy(dialog.id, messageId).then(
      (a) => live && setAnswer(a),
      () => live && setAnswer('failed'),
    );
    return () => void (live = false);
  }, [open, count, messageId]);
  return (
    <div class="read-by">
      <button type="button" class="link" aria-expanded={open} aria-controls={open ? listId : undefined} onClick={() => setOpen(!open)}>
        {t('readBy', { n: count })}
      </button>
      {open && (
        <div id={listId} class="readers" role="status">
          {answer === 'loading' ? (
            t('loading')
          ) : answer === 'failed' ? (
            t('loadFailed')
          ) : (
            <ul>
              {answer.items.map((r) => {
                const user = dialog.members.find((u) => u.user_id === r.user_id) ?? { user_id: r.user_id, name: chat.full().nameOf(dialog, r.user_id) ?? r.user_id };
                return (
                  <li key={r.user_id}>
                    <Avatar user={user} small />
                    <span class="name ellipsis" dir="auto">
                      {user.name}
                    </span>
                    <time dateTime={r.read_at} title={formatFull(r.read_at)}>
                      {formatShort(r.read_at)}
                    </time>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
