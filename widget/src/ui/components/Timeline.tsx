// A dialog's messages: grouped by day, the "New messages" line, runs of one person's messages (in a
// group under their name and face), system messages as notes in the widget's language, ticks on
// mine, and in a group "Read by N" under my last message someone read.
import type { Dialog } from '@imbachat/server/protocol';
import type { JSX } from 'preact';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import type { Receipt } from '../../state/receipts.ts';
import type { ChatMessage } from '../../state/messages.ts';
import { dayKey, formatDay, formatFull, formatTime } from '../format.ts';
import { AlertIcon, CheckIcon, ClockIcon, DoubleCheckIcon } from '../icons.tsx';
import { ReadBy } from '../lazy-groups.tsx';
import { systemText } from '../system.ts';
import { memberName } from '../who.ts';
import { Attachments } from './Attachments.tsx';
import { Avatar } from './Avatar.tsx';
import { MessageText } from './MessageText.tsx';

/**
 * `receipt` is how far the others got: in a group, the furthest other member, so my message shows
 * delivered / read once at least one of them has it / read it. In a group, runs of messages from
 * other people start with the sender's name and face.
 */
export function renderItems(chat: Chat, dialog: Dialog | undefined, items: ChatMessage[], receipt: Receipt, unreadAfter: number | null): JSX.Element[] {
  const nodes: JSX.Element[] = [];
  const me = chat.session.userId;
  const group = dialog?.type === 'group';
  const firstUnread = unreadAfter === null ? undefined : items.find((m) => m.seq !== null && m.seq > unreadAfter && m.sender_id !== me && m.kind !== 'system');
  const readBy = group ? lastReadOfMine(chat, dialog, items) : null;
  items.forEach((m, i) => {
    const prev = items[i - 1];
    const next = items[i + 1];
    // Times show once per run of messages from one person within a few minutes.
    const runContinues =
      next !== undefined && next.sender_id === m.sender_id && next.status === m.status && m.status !== 'failed' &&
      dayKey(next.created_at) === dayKey(m.created_at) &&
      new Date(next.created_at).getTime() - new Date(m.created_at).getTime() < 3 * 60_000 &&
      !(m.seq !== null && (m.seq === receipt.read || m.seq === receipt.delivered || m === readBy?.message));
    const newDay = !prev || dayKey(prev.created_at) !== dayKey(m.created_at);
    if (newDay)
      nodes.push(
        <div key={`day-${dayKey(m.created_at)}`} class="day">
          {formatDay(m.created_at)}
        </div>,
      );
    if (m === firstUnread)
      nodes.push(
        <div key="new-marker" class="new-marker" role="separator" aria-label={t('newMessagesLine')}>
          <span aria-hidden="true">{t('newMessagesLine')}</span>
        </div>,
      );
    if (m.sender_id === null) {
      nodes.push(
        <p key={m.key} class="sys" dir="auto">
          {systemText(m, dialog, (d, id) => chat.full().nameOf(d, id))}
        </p>,
      );
      return;
    }
    const mine = m.sender_id === me;
    const runStarts = newDay || m === firstUnread || prev?.sender_id !== m.sender_id;
    nodes.push(
      <Bubble
        key={m.key}
        chat={chat}
        message={m}
        mine={mine}
        sender={group && !mine && runStarts ? m.sender_id : null}
        face={group && !mine}
        dialog={dialog}
        gap={!newDay && prev !== undefined && prev.sender_id !== m.sender_id}
        tick={m.seq === null ? 'none' : m.seq <= receipt.read ? 'read' : m.seq <= receipt.delivered ? 'delivered' : 'sent'}
        showInfo={!runContinues}
        readers={m === readBy?.message ? readBy.count : 0}
      />,
    );
  });
  return nodes;
}

/** My newest message that another current member has read, and how many of them read it. */
function lastReadOfMine(chat: Chat, dialog: Dialog, items: ChatMessage[]): { message: ChatMessage; count: number } | null {
  const me = chat.session.userId;
  const live = chat.full().receipts.reads.value[dialog.id] ?? {};
  // How far each other current member read: the dialog's snapshot, or a live read past it.
  const reads = dialog.members_state.filter((s) => s.user_id !== me).map((s) => Math.max(s.last_read_seq, live[s.user_id] ?? 0));
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i]!;
    if (m.sender_id !== me || m.seq === null) continue;
    const seq = m.seq;
    const count = reads.filter((r) => r >= seq).length;
    if (count > 0) return { message: m, count };
  }
  return null;
}

type Tick = 'none' | 'sent' | 'delivered' | 'read';

interface BubbleProps {
  chat: Chat;
  message: ChatMessage;
  mine: boolean;
  /** In a group: the sender whose name starts this run of their messages. */
  sender: string | null;
  /** In a group: others' messages leave room for their face (shown at the start of a run). */
  face: boolean;
  dialog: Dialog | undefined;
  gap: boolean;
  tick: Tick;
  showInfo: boolean;
  /** "Read by N" under this message (0: not here). */
  readers: number;
}

function Bubble(props: BubbleProps) {
  const { chat, message: m, mine, gap, tick, sender, dialog } = props;
  // The server refused the text itself, or the files are gone (unsent uploads are removed after an
  // hour): sending it again cannot succeed, only editing can.
  const tooLong = m.error === 'validation_failed' || m.error === 'payload_too_large';
  const gone = m.error === 'upload_not_found' || m.error === 'upload_already_used';
  const refused = tooLong || gone;
  const who = sender === null ? undefined : (dialog?.members.find((u) => u.user_id === sender) ?? { user_id: sender, name: memberName(dialog, sender) });
  return (
    <div class={`msg ${mine ? 'mine' : 'theirs'} ${m.status}${gap ? ' gap' : ''}${props.face ? ' faced' : ''}`}>
      {who && (
        <>
          <span class="face">
            <Avatar user={who} small />
          </span>
          <div class="sender ellipsis" dir="auto">
            {who.name}
          </div>
        </>
      )}
      {m.attachments.length > 0 && <Attachments chat={chat} message={m} />}
      {(m.text !== '' || m.attachments.length === 0) && (
        <div class="bubble" dir="auto">
          <MessageText text={m.text} />
        </div>
      )}
      {props.showInfo && (
        <div class="info">
          <time dateTime={m.created_at} title={formatFull(m.created_at)}>
            {formatTime(m.created_at)}
          </time>
          {mine && m.status === 'pending' && (
            <span title={t('sending')}>
              <ClockIcon />
              <span class="sr-only">{t('sending')}</span>
            </span>
          )}
          {mine && m.status === 'sent' && (
            <span class={tick === 'read' ? 'read' : ''} title={tickLabel(tick)}>
              {tick === 'sent' ? <CheckIcon /> : <DoubleCheckIcon />}
              <span class="sr-only">{tickLabel(tick)}</span>
            </span>
          )}
          {mine && m.status === 'failed' && (
            <>
              <span class="bad">
                <AlertIcon />
              </span>
              <span class="bad">{tooLong ? t('tooLong') : gone ? t('filesGone') : t('notSent')}</span>
              {!refused && (
                <button type="button" class="retry" onClick={() => void chat.full().deliver(m.dialog_id, m.key)}>
                  {t('retry')}
                </button>
              )}
              <button type="button" class="retry" onClick={() => chat.full().editFailed(m.dialog_id, m.key)}>
                {t('edit')}
              </button>
              <button type="button" class="retry" onClick={() => chat.full().discard(m.dialog_id, m.key)}>
                {t('delete')}
              </button>
            </>
          )}
        </div>
      )}
      {props.readers > 0 && m.id !== null && dialog && <ReadBy chat={chat} dialog={dialog} messageId={m.id} count={props.readers} />}
    </div>
  );
}

function tickLabel(tick: Tick): string {
  return tick === 'read' ? t('seen') : tick === 'delivered' ? t('delivered') : t('sent');
}
