// The English texts the launcher shows before anything else has loaded (its label, its badge):
// the only ones in the widget's startup code. Why the chat stopped (en-stops.ts) comes with the
// panel's code, which the launcher fetches as soon as the chat stops. The other catalogues keep
// every key in one file.
export const enLauncher = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  loadFailed: 'Could not load. Check your connection.',
  newMessages_one: '{n} new message',
  newMessages_other: '{n} new messages',
};
