// The list of the user's dialogs: one button per dialog, named by the partner or the group's title.
import type { Dialog } from '@imbachat/server/protocol';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { partnerOf } from '../../state/dialogs.ts';
import { formatShort } from '../format.ts';
import type { FunctionComponent } from 'preact';
import { BellIcon, ChatIcon, CloseIcon, MutedIcon, PlusIcon, SoundIcon } from '../icons.tsx';
import { dialogName, gist } from '../../state/gist.ts';
import { systemText } from '../system.ts';
import { warmsGroups } from '../lazy-groups.tsx';
import { firstName, memberName, typingText } from '../who.ts';
import { DialogAvatar } from './Avatar.tsx';
import { Banner } from './Banner.tsx';
import { Header } from './Header.tsx';

export function DialogList({ chat, onClose }: { chat: Chat; onClose(): void }) {
  // A direct dialog that was only opened (nothing sent either way) stays out of the list once it
  // is left, unless a draft waits in it; groups are listed from the start.
  const items = chat.dialogs.items.value.filter((d) => d.type === 'group' || d.last_message !== null || chat.full().draft(d.id) !== '');
  const status = chat.dialogs.status.value;
  const notice = chat.view.notice.value;
  return (
    <>
      <Header
        chat={chat}
        onClose={onClose}
        title={
          <h2 class="title ellipsis" tabIndex={-1}>
            {t('chats')}
          </h2>
        }
        actions={
          <button type="button" class="icon-btn" aria-label={t('newChat')} title={t('newChat')} {...warmsGroups} onClick={() => chat.full().show({ kind: 'new' })}>
            <PlusIcon />
          </button>
        }
      />
      <Banner chat={chat} />
      {notice && (
        <p class="notice" role="alert">
          <span>{t(notice)}</span>
          <button type="button" class="notice-close" aria-label={t('dismiss')} onClick={() => chat.full().dismissNotice()}>
            <CloseIcon />
          </button>
        </p>
      )}
      <div class="body">
        {items.length > 0 ? (
          <>
            <ul class="dialogs" onKeyDown={moveFocus}>
              {items.map((d) => (
                <DialogItem key={d.id} chat={chat} dialog={d} />
              ))}
            </ul>
            {chat.dialogs.nextCursor.value && (
              <div class="more">
                <button type="button" class="btn ghost" onClick={() => void chat.loadDialogs(true)}>
                  {t('loadMore')}
                </button>
              </div>
            )}
          </>
        ) : status === 'loading' || status === 'idle' ? (
          <div role="status" aria-label={t('loading')}>
            {[0, 1, 2].map((i) => (
              <div key={i} class="skeleton" aria-hidden="true">
                <span class="a" />
                <span class="l">
                  <span />
                  <span />
                </span>
              </div>
            ))}
          </div>
        ) : status === 'error' ? (
          // When the chat has stopped, the banner says why and nothing here can help.
          !chat.session.fatal.value && (
            <div class="state">
              <p>{t('loadFailed')}</p>
              <button type="button" class="btn" data-autofocus onClick={() => void chat.loadDialogs()}>
                {t('tryAgain')}
              </button>
            </div>
          )
        ) : (
          <div class="state">
            <span class="art" aria-hidden="true">
              <ChatIcon />
            </span>
            <p class="big">{t('noConversations')}</p>
            <p>{t('noConversationsHint')}</p>
          </div>
        )}
      </div>
      <Prefs chat={chat} />
    </>
  );
}

/** The person's notification choices: the sound on new messages, and browser notifications. */
function Prefs({ chat }: { chat: Chat }) {
  const a = chat.full().alerts;
  const sound = a.soundAllowed.value;
  const desktop = a.desktop.value;
  if (!sound && desktop === 'unsupported') return null;
  return (
    <div class="prefs">
      {sound && (
        <Switch on={!a.muted.value} label={t('sound')} icon={SoundIcon} onClick={() => a.setMuted(!a.muted.peek())} />
      )}
      {desktop !== 'unsupported' && (
        <Switch
          on={desktop === 'on'}
          label={t('desktopNotifications')}
          icon={BellIcon}
          {...(desktop === 'denied' ? { hint: t('desktopBlocked') } : {})}
          onClick={() => (desktop === 'on' ? a.disableDesktop() : void a.enableDesktop())}
        />
      )}
    </div>
  );
}

function Switch({ icon: Icon, ...props }: { on: boolean; label: string; icon: FunctionComponent; hint?: string; onClick(): void }) {
  return (
    <button type="button" role="switch" class="pref" aria-checked={props.on} disabled={props.hint !== undefined} title={props.hint} onClick={props.onClick}>
      <Icon />
      <span class="label">{props.label}</span>
      <span class="track" aria-hidden="true" />
    </button>
  );
}

function DialogItem({ chat, dialog }: { chat: Chat; dialog: Dialog }) {
  const me = chat.session.userId;
  const partner = partnerOf(dialog, me);
  const name = dialogName(dialog, me);
  const last = dialog.last_message;
  const unread = dialog.unread_count;
  const previewId = `ic-pv-${dialog.id}`;
  const full = chat.full();
  const typists = full.presence.typing.value[dialog.id] ?? [];
  // A direct dialog says "typing…" under the partner's name; a group says who.
  const typing = partner ? (typists.includes(partner.user_id) ? t('typing') : null) : typingText(typists.map((id) => memberName(dialog, id)));
  const countId = `ic-uc-${dialog.id}`;
  const timeId = `ic-tm-${dialog.id}`;
  // What the row shows besides the name, read after it: unread count, preview, time.
  const mutedId = `ic-mu-${dialog.id}`;
  const described = [dialog.muted ? mutedId : '', unread > 0 ? countId : '', previewId, last ? timeId : ''].filter(Boolean).join(' ');
  const preview = !last
    ? t('noMessages')
    : last.sender_id === null
      ? systemText(last, dialog, (d, id) => full.nameOf(d, id))
      : last.sender_id === me
        ? `${t('you')} ${oneLine(gist(last))}`
        : partner
          ? oneLine(gist(last))
          : `${firstName(memberName(dialog, last.sender_id))}: ${oneLine(gist(last))}`;
  return (
    <li>
      <button
        type="button"
        class={`dialog-item${unread > 0 ? ' unread' : ''}${dialog.muted ? ' is-muted' : ''}`}
        aria-label={name}
        aria-describedby={described}
        onClick={() => chat.full().showDialog(dialog.id)}
      >
        <DialogAvatar chat={chat} dialog={dialog} />
        <span class="meta">
          <span class="row">
            <span class="name ellipsis" dir="auto">
              {name}
            </span>
            {dialog.muted && (
              <span class="muted-mark" title={t('muted')}>
                <MutedIcon />
                <span class="sr-only" id={mutedId}>
                  {t('muted')}
                </span>
              </span>
            )}
            {last && (
              <time id={timeId} dateTime={last.created_at}>
                {formatShort(last.created_at)}
              </time>
            )}
          </span>
          <span class="row">
            <span class={`preview ellipsis${typing ? ' typing' : ''}`} id={previewId} dir="auto">
              {typing ?? preview}
            </span>
            {unread > 0 && (
              <>
                <span class="count" aria-hidden="true">
                  {unread > 99 ? '99+' : unread}
                </span>
                <span class="sr-only" id={countId}>
                  {t('unread', { n: unread })}
                </span>
              </>
            )}
          </span>
        </span>
      </button>
    </li>
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

/** Up/Down/Home/End move between the dialog buttons. */
function moveFocus(e: KeyboardEvent): void {
  const list = e.currentTarget as HTMLElement;
  const buttons = [...list.querySelectorAll<HTMLButtonElement>('.dialog-item')];
  const root = list.getRootNode() as Document | ShadowRoot;
  const i = buttons.indexOf(root.activeElement as HTMLButtonElement);
  const next =
    e.key === 'ArrowDown' ? buttons[Math.min(i + 1, buttons.length - 1)] :
    e.key === 'ArrowUp' ? buttons[Math.max(i - 1, 0)] :
    e.key === 'Home' ? buttons[0] :
    e.key === 'End' ? buttons[buttons.length - 1] : undefined;
  if (next) {
    e.preventDefault();
    next.focus();
  }
}
