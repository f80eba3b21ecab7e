// Why the chat stopped, in English (the launcher's description and tooltip, the panel's banner),
// under `stop_` and the stop's code (ui/fatal.ts).
// Rare, so not in the startup: they come with the panel's code (en.ts), which the launcher fetches
// as soon as the chat stops; until they are in, the launcher shows its "!" alone.
export const enStops = {
  stop_token_expired: 'Session expired — reload the page',
  stop_token_invalid: 'You are signed out of the chat — reload the page',
  stop_widget_not_found: 'This chat is not set up on the server (unknown widget).',
  stop_origin_not_allowed: 'This chat is not enabled for this site.',
  stop_user_not_found: 'This site has not told the chat who you are.',
  stop_user_switched: 'Someone else signed in in another tab — reload the page',
  stop_too_many_connections: 'The chat is open in too many windows — close some and reload this page',
};
