// One dialog: who it is with in the header (the partner, or a group's title and size, which opens
// its members), a menu (group info, mute), the timeline (components/Timeline.tsx), and the
// composer with its drop zone, or for someone who left or was removed a line that says so; and the
// lightbox over it while one of its images is open.
import { useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { partnerOf } from '../../state/dialogs.ts';
import { dialogName } from '../../state/gist.ts';
import { isMember } from '../../state/groups.ts';
import { formatAgo, plural } from '../format.ts';
import { safeHref } from '../linkify.ts';
import { useLogScroll, useMinuteTick } from '../hooks.ts';
import { warmsGroups } from '../lazy-groups.tsx';
import { errorText } from '../errors.ts';
import { firstName, memberName, typingText } from '../who.ts';
import { DialogAvatar } from './Avatar.tsx';
import { Banner } from './Banner.tsx';
import { Composer } from './Composer.tsx';
import { DropZone } from './DropZone.tsx';
import { Header } from './Header.tsx';
import { Menu, type MenuItem } from './Menu.tsx';
import { renderItems } from './Timeline.tsx';

export function DialogView({ chat, dialogId, onClose }: { chat: Chat; dialogId: number; onClose(): void }) {
  const me = chat.session.userId;
  const full = chat.full();
  const dialog = chat.dialogs.byId(dialogId);
  const thread = full.messages.thread(dialogId);
  const items = thread.items.value;
  const status = thread.status.value;
  const partner = dialog ? partnerOf(dialog, me) : null;
  const group = dialog !== undefined && partner === null;
  // Until the dialog is known it is treated as one the person is in.
  const member = !dialog || isMember(dialog);
  const profile = partner?.profile_url ? safeHref(partner.profile_url) : null;
  const receipt = full.receipts.furthest.value[dialogId] ?? { read: 0, delivered: 0 };
  const seen = partner ? full.presence.users.value[partner.user_id] : undefined;
  const typists = member ? (full.presence.typing.value[dialogId] ?? []) : [];
  const typing = partner
    ? typists.includes(partner.user_id) ? t('isTyping', { name: firstName(partner.name) }) : null
    : typingText(typists.map((id) => memberName(dialog, id)));
  const log = useLogScroll(items, () => void full.loadOlder(dialogId));
  const name = dialog ? dialogName(dialog, me) : '';
  const unreadAfter = chat.view.unreadAfter.value;
  const [error, setError] = useState<string | null>(null);
  useMinuteTick(!seen?.online && !!seen?.last_seen_at);
  const image = full.files.lightbox.value;
  const attach = full.files.part.value;
  const writes = member && chat.session.fatal.value === null;

  const menu: MenuItem[] = [];
  if (group) menu.push({ label: t('groupInfo'), run: () => full.show({ kind: 'group', id: dialogId }) });
  if (dialog && member) {
    const muted = dialog.muted;
    menu.push({
      label: muted ? t('unmute') : t('mute'),
      run: () => {
        setError(null);
        full.groups.mute(dialogId, !muted).catch((err: unknown) => setError(errorText(err)));
      },
    });
  }

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
                {typing !== null ? (
                  <span class="typing ellipsis">{typing}</span>
                ) : group ? (
                  <button type="button" class="link" {...warmsGroups} onClick={() => full.show({ kind: 'group', id: dialogId })}>
                    {plural('members', dialog.member_count)}
                  </button>
                ) : seen?.online ? (
                  <span class="live">{t('online')}</span>
                ) : seen?.last_seen_at ? (
                  <span class="ellipsis">{t('lastSeen', { when: formatAgo(seen.last_seen_at) })}</span>
                ) : null}
                {dialog?.muted && <span>{t('muted')}</span>}
                {profile && (
                  <a href={profile} target="_blank" rel="noopener noreferrer nofollow">
                    {t('profile')}
                  </a>
                )}
              </div>
            </div>
          </>
        }
        actions={menu.length > 0 && <Menu label={t('chatMenu')} items={menu} />}
      />
      <Banner chat={chat} />
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      <div ref={log} class="body log" role="log" tabIndex={0} aria-label={name || t('chats')} aria-busy={status === 'loading'}>
        {thread.olderCursor.value && (
          <button type="button" class="btn ghost older" disabled={thread.loadingOlder.value} onClick={() => void full.loadOlder(dialogId)}>
            {thread.loadingOlder.value ? t('loading') : t('loadOlder')}
          </button>
        )}
        {items.length === 0 &&
          (status === 'error' ? (
            <div class="state">
              <p>{t('loadFailed')}</p>
              <button type="button" class="btn" onClick={() => void full.loadThread(dialogId)}>
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
        {renderItems(chat, dialog, items, receipt, unreadAfter)}
      </div>
      {writes && <DropZone onFiles={(files) => full.files.attach(dialogId, files)} />}
      {image?.dialogId === dialogId && attach && <attach.code.Lightbox chat={chat} dialogId={dialogId} />}
      {member ? (
        <Composer key={dialogId} chat={chat} dialogId={dialogId} />
      ) : (
        <p class="gone" role="status">
          {dialog?.membership === 'removed' ? t('youWereRemoved') : t('youLeft')}
        </p>
      )}
    </>
  );
}
