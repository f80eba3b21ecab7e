// Who read my message in a group, with when, under its "Read by N" (ui/lazy-groups.tsx, which
// shows this once the groups chunk is in): asked of the server when the list opens (GET
// …/read-by), and again when more people read it while it is open.
import type { Dialog } from '@imbachat/server/protocol';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { readBy, type ReadBy as Answer } from '../../state/manage-groups.ts';
import { formatFull, formatShort } from '../format.ts';
import { Waiting } from '../lazy-groups.tsx';
import { Avatar } from './Avatar.tsx';

export function Readers({ chat, dialog, messageId, count }: { chat: Chat; dialog: Dialog; messageId: number; count: number }) {
  const [answer, setAnswer] = useState<Answer | 'loading' | 'failed'>('loading');
  useEffect(() => {
    let live = true;
    setAnswer((a) => (typeof a === 'object' ? a : 'loading'));
    readBy(chat.full().groups, dialog.id, messageId).then(
      (a) => live && setAnswer(a),
      () => live && setAnswer('failed'),
    );
    return () => void (live = false);
  }, [count, messageId]);
  if (answer === 'loading') return <Waiting />;
  if (answer === 'failed') return <>{t('loadFailed')}</>;
  return (
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
  );
}
