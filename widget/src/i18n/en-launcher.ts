// The English texts the launcher shows (its label, its badge, why the chat stopped): the only
// ones in the widget's startup code. The other catalogues keep every key in one file.
export const enLauncher = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  sessionExpired: 'Session expired — reload the page',
  tokenInvalid: 'You are signed out of the chat — reload the page',
  widgetNotFound: 'This chat is not set up on the server (unknown widget).',
  originNotAllowed: 'This chat is not enabled for this site.',
  userUnknown: 'This site has not told the chat who you are.',
  userSwitched: 'Someone else signed in in another tab — reload the page',
  tooManyConnections: 'The chat is open in too many windows — close some and reload this page',
  loadFailed: 'Could not load. Check your connection.',
  newMessages_one: '{n} new message',
  newMessages_other: '{n} new messages',
};
