// One dialog: who it is with in the header (the partner, or a group's title and size), the
// messages grouped by day (in a group, under their senders' names), and the composer.
import type { JSX } from 'preact';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { dialogName, partnerOf, type Receipt } from '../../state/dialogs.ts';
import type { ChatMessage } from '../../state/messages.ts';
import { dayKey, formatAgo, formatDay, formatFull, formatTime, plural } from '../format.ts';
import { safeHref } from '../linkify.ts';
import { AlertIcon, CheckIcon, ClockIcon, DoubleCheckIcon } from '../icons.tsx';
import { useLogScroll, useMinuteTick } from '../hooks.ts';
import { firstName, memberName } from '../who.ts';
import { DialogAvatar } from './Avatar.tsx';
import { Banner } from './Banner.tsx';
import { Composer } from './Composer.tsx';
import { Header } from './Header.tsx';
import { MessageText } from './MessageText.tsx';

export function DialogView({ chat, dialogId, onClose }: { chat: Chat; dialogId: number; onClose(): void }) {
  const me = chat.session.userId;
  const dialog = chat.dialogs.byId(dialogId);
  const thread = chat.full().messages.thread(dialogId);
  const items = thread.items.value;
  const status = thread.status.value;
  const partner = dialog ? partnerOf(dialog, me) : null;
  const group = dialog !== undefined && partner === null;
  const profile = partner?.profile_url ? safeHref(partner.profile_url) : null;
  const receipt = chat.dialogs.receipts.value[dialogId] ?? { read: 0, delivered: 0 };
  const seen = partner ? chat.full().presence.users.value[partner.user_id] : undefined;
  const typists = chat.full().presence.typing.value[dialogId] ?? [];
  const typist = partner ? (typists.includes(partner.user_id) ? partner.name : null) : typists[0] !== undefined ? memberName(dialog, typists[0]) : null;
  const log = useLogScroll(items, () => void chat.full().loadOlder(dialogId));
  const name = dialog ? dialogName(dialog, me) : '';
  const unreadAfter = chat.view.unreadAfter.value;
  useMinuteTick(!seen?.online && !!seen?.last_seen_at);

  return (
    <>
      <Header
        chat={chat}
        onClose={onClose}
        back
        title={
          <>
            {dialog && <DialogAvatar chat={chat} dialog={dialog} small />}
            <div class="who">
              {/* bdi: an Arabic or Hebrew name keeps its own direction but lines up with the status below. */}
              <h2 class="name ellipsis" tabIndex={-1}>
                <bdi>{name || '\u00a0'}</bdi>
              </h2>
              <div class="status-line">
                {typist !== null ? (
                  <span class="typing ellipsis">{t('isTyping', { name: firstName(typist) })}</span>
                ) : group ? (
                  <span class="ellipsis">{plural('members', dialog.member_count)}</span>
                ) : seen?.online ? (
                  <span class="live">{t('online')}</span>
                ) : seen?.last_seen_at ? (
                  <span class="ellipsis">{t('lastSeen', { when: formatAgo(seen.last_seen_at) })}</span>
                ) : null}
                {profile && (
                  <a href={profile} target="_blank" rel="noopener noreferrer nofollow">
                    {t('profile')}
                  </a>
                )}
              </div>
            </div>
          </>
        }
      />
      <Banner chat={chat} />
      <div ref={log} class="body log" role="log" tabIndex={0} aria-label={name || t('chats')} aria-busy={status === 'loading'}>
        {thread.olderCursor.value && (
          <button type="button" class="btn ghost older" disabled={thread.loadingOlder.value} onClick={() => void chat.full().loadOlder(dialogId)}>
            {thread.loadingOlder.value ? t('loading') : t('loadOlder')}
          </button>
        )}
        {items.length === 0 &&
          (status === 'error' ? (
            <div class="state">
              <p>{t('loadFailed')}</p>
              <button type="button" class="btn" onClick={() => void chat.full().loadThread(dialogId)}>
                {t('tryAgain')}
              </button>
            </div>
          ) : status === 'loaded' ? (
            <div class="state">
              <p class="big">{t('noMessages')}</p>
              <p>{t('noMessagesHint')}</p>
            </div>
          ) : (
            <div class="state" role="status">
              <span class="spinner" aria-hidden="true" />
              <span>{t('loading')}</span>
            </div>
          ))}
        {renderItems(chat, items, receipt, unreadAfter, group ? (id) => memberName(dialog, id) : null)}
      </div>
      <Composer key={dialogId} chat={chat} dialogId={dialogId} />
    </>
  );
}

/**
 * `receipt` is how far the others got: in a group, the furthest other member, so my message shows
 * delivered / read once at least one of them has it / read it. `senderName` is set for groups,
 * whose runs of messages from other people start with the sender's name.
 */
function renderItems(chat: Chat, items: ChatMessage[], receipt: Receipt, unreadAfter: number | null, senderName: ((userId: string) => string) | null): JSX.Element[] {
  const nodes: JSX.Element[] = [];
  const me = chat.session.userId;
  const firstUnread = unreadAfter === null ? undefined : items.find((m) => m.seq !== null && m.seq > unreadAfter && m.sender_id !== me);
  items.forEach((m, i) => {
    const prev = items[i - 1];
    const next = items[i + 1];
    // Times show once per run of messages from one person within a few minutes.
    const runContinues =
      next !== undefined && next.sender_id === m.sender_id && next.status === m.status && m.status !== 'failed' &&
      dayKey(next.created_at) === dayKey(m.created_at) &&
      new Date(next.created_at).getTime() - new Date(m.created_at).getTime() < 3 * 60_000 &&
      !(m.seq !== null && (m.seq === receipt.read || m.seq === receipt.delivered));
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
    const mine = m.sender_id === me;
    const runStarts = newDay || m === firstUnread || prev?.sender_id !== m.sender_id;
    nodes.push(
      <Bubble
        key={m.key}
        chat={chat}
        message={m}
        mine={mine}
        sender={senderName && !mine && runStarts ? senderName(m.sender_id) : null}
        gap={!newDay && prev !== undefined && prev.sender_id !== m.sender_id}
        tick={m.seq === null ? 'none' : m.seq <= receipt.read ? 'read' : m.seq <= receipt.delivered ? 'delivered' : 'sent'}
        showInfo={!runContinues}
      />,
    );
  });
  return nodes;
}

type Tick = 'none' | 'sent' | 'delivered' | 'read';

function Bubble(props: { chat: Chat; message: ChatMessage; mine: boolean; sender: string | null; gap: boolean; tick: Tick; showInfo: boolean }) {
  const { chat, message: m, mine, gap, tick } = props;
  // The server refused the text itself: sending it again cannot succeed, only editing can.
  const refused = m.error === 'validation_failed' || m.error === 'payload_too_large';
  return (
    <div class={`msg ${mine ? 'mine' : 'theirs'} ${m.status}${gap ? ' gap' : ''}`}>
      {props.sender !== null && (
        <div class="sender ellipsis" dir="auto">
          {props.sender}
        </div>
      )}
      <div class="bubble" dir="auto">
        <MessageText text={m.text} />
      </div>
      {props.showInfo && <div class="info">
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
            <span class="bad">{refused ? t('tooLong') : t('notSent')}</span>
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
      </div>}
    </div>
  );
}


function tickLabel(tick: Tick): string {
  return tick === 'read' ? t('seen') : tick === 'delivered' ? t('delivered') : t('sent');
}
