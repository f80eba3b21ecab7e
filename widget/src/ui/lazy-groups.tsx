// The groups chunk (groups.ts) from the panel's side: "New chat", a group's info and the "Read by"
// list render once it is in; until then the panel's waiting look, and if it could not be fetched
// (offline), why, with "Try again". Pointing at or tabbing to what opens them starts the fetch,
// so it is usually in before the click.
import type { Dialog } from '@imbachat/server/protocol';
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { Chat } from '../state/chat.ts';
import { groupsCode, groupsFailed, loadGroups, type GroupsCode } from '../state/groups.ts';
import { Banner } from './components/Banner.tsx';
import { Header } from './components/Header.tsx';

/** Fetches the chunk (once; again after a failure, which the screens that need it show). */
export const warmGroups = (): void => void loadGroups().catch(() => {});
/** On what opens a screen of the chunk. */
export const warmsGroups = { onPointerEnter: warmGroups, onFocus: warmGroups };

/** Where the chunk stands, for the panel's focus: it moves again when a waiting screen arrives. */
export const groupsStage = (): string => (groupsCode.value ? 'in' : groupsFailed.value ? 'failed' : 'wait');

/** A turning ring and "Loading…", in a line. */
export const Waiting = () => (
  <span class="wait">
    <span class="spinner" aria-hidden="true" />
    {t('loading')}
  </span>
);

/** The panel's waiting look: a turning ring and what it waits for, in the middle of the body. */
export const WaitState = ({ text }: { text: string }) => (
  <div class="state" role="status">
    <span class="spinner" aria-hidden="true" />
    <span>{text}</span>
  </div>
);

/** A screen of the chunk under its header and the banner, which show at once; until the chunk is
 *  in, the panel's waiting look in its place, or why it could not come with "Try again". */
export function GroupsScreen(props: { chat: Chat; onClose(): void; back: true | (() => void); backLabel?: string; title: string; render(code: GroupsCode): VNode }) {
  const code = groupsCode.value;
  const failed = groupsFailed.value;
  // Whatever opened the screen has asked for the chunk already (FullChat.show); this is for the rest.
  useEffect(() => void (code || failed || warmGroups()), []);
  return (
    <>
      <Header chat={props.chat} onClose={props.onClose} back={props.back} backLabel={props.backLabel} title={<h2 class="title ellipsis" tabIndex={-1}>{props.title}</h2>} />
      <Banner chat={props.chat} />
      {code ? (
        props.render(code)
      ) : (
        <div class="body">
          {failed ? (
            <div class="state">
              <p role="alert">{t('loadFailed')}</p>
              <button type="button" class="btn" data-autofocus onClick={warmGroups}>
                {t('tryAgain')}
              </button>
            </div>
          ) : (
            <WaitState text={t('loading')} />
          )}
        </div>
      )}
    </>
  );
}

/** "Read by N" under my last message someone read in a group; pressed (click, Enter, Space), it
 *  lists who read it and when, under the message. */
export function ReadBy({ chat, dialog, messageId, count }: { chat: Chat; dialog: Dialog; messageId: number; count: number }) {
  const [open, setOpen] = useState(false);
  const code = groupsCode.value;
  const listId = `ic-rb-${messageId}`;
  return (
    <div class="read-by">
      <button
        type="button"
        class="link"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        {...warmsGroups}
        onClick={() => {
          if (!open) warmGroups();
          setOpen(!open);
        }}
      >
        {t('readBy', { n: count })}
      </button>
      {open && (
        <div id={listId} class="readers" role="status">
          {code ? (
            <code.Readers chat={chat} dialog={dialog} messageId={messageId} count={count} />
          ) : groupsFailed.value ? (
            <span class="wait">
              {t('loadFailed')}
              <button type="button" class="link" onClick={warmGroups}>
                {t('tryAgain')}
              </button>
            </span>
          ) : (
            <Waiting />
          )}
        </div>
      )}
    </div>
  );
}
