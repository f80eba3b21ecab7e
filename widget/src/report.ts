// What the app chunk shares with the loader's checks of the page's input (api.ts): the console
// voice that explains a mistake, and the shape a token must have (at load, from getToken, in
// updateToken). Its own module, so the loader's option checks and the user-id rule stay out of
// the app chunk (a bundler places a module whole).

const PREFIX = '[ImbaChat]';

export function report(message: string): void {
  console.error(`${PREFIX} ${message}`);
}

export function isToken(value: unknown): value is string {
  return typeof value === 'string' && /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value.trim());
}
