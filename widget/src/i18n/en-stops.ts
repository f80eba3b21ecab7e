// Why the chat stopped, in English (the launcher's description and tooltip, the panel's banner).
// Rare, so not in the startup: they come with the panel's code (en.ts), which the launcher fetches
// as soon as the chat stops; until they are in, the launcher shows its "!" alone.
export const enStops = {
  sessionExpired: 'Session expired — reload the page',
  tokenInvalid: 'You are signed out of the chat — reload the page',
  widgetNotFound: 'This chat is not set up on the server (unknown widget).',
  originNotAllowed: 'This chat is not enabled for this site.',
  userUnknown: 'This site has not told the chat who you are.',
  userSwitched: 'Someone else signed in in another tab — reload the page',
  tooManyConnections: 'The chat is open in too many windows — close some and reload this page',
};
