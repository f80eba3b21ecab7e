// English: the default catalogue, and the list of keys every other catalogue fills in. The
// launcher's own texts are in en-launcher.ts (they ship with the launcher; the rest comes with
// the panel's code, see english.ts).
import { enLauncher } from './en-launcher.ts';

export const en = {
  ...enLauncher,
  close: 'Close',
  chats: 'Chats',
  back: 'Back to chats',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  noConversations: 'No conversations yet',
  noConversationsHint: 'When someone writes to you, or you write from a profile, the conversation shows up here.',
  noMessages: 'No messages yet',
  noMessagesHint: 'Say hello!',
  loading: 'Loading…',
  opening: 'Opening the conversation…',
  connecting: 'Connecting…',
  tryAgain: 'Try again',
  retry: 'Retry',
  edit: 'Edit',
  delete: 'Delete',
  sending: 'Sending…',
  sent: 'Sent',
  seen: 'Read',
  notSent: 'Not sent',
  today: 'Today',
  yesterday: 'Yesterday',
  you: 'You:',
  unread: '{n} unread',
  profile: 'Open profile',
  loadOlder: 'Show earlier messages',
  userNotFound: 'This person could not be found.',
  cannotMessageSelf: 'You cannot write to yourself.',
  dismiss: 'Dismiss',
  networkError: 'Could not reach the chat server.',
  genericError: 'Something went wrong. Please try again.',
  tooLong: 'The message is too long.',
  charsLeft: '{n} left',
  tooLongBy: '{n} too many',
  loadMore: 'Show more',
  typing: 'typing…',
  online: 'online',
  lastSeen: 'last seen {when}',
  delivered: 'Delivered',
  justNow: 'just now',
  isTyping: '{name} is typing…',
  newMessage: 'New message',
  newMessagesLine: 'New messages',
  sound: 'Sound',
  desktopNotifications: 'Desktop notifications',
  desktopBlocked: 'Blocked in the browser settings',
  // Plural forms are named after Intl.PluralRules categories (see plural()); "_other" is required.
  members_one: '{n} member',
  members_other: '{n} members',
};
/** Plural categories English does not use, for the languages that need them. */
type MoreForms = Partial<Record<`${PluralKey}_${Intl.LDMLPluralRule}`, string>>;
export type Catalogue = typeof en & MoreForms;
export type MessageKey = keyof typeof en;
export type PluralKey = 'members' | 'newMessages';
