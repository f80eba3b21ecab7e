// How a console message names a value the page passed. Its own module: the loader's checks
// (api.ts) and the groups chunk's (group-api.ts) use it, the app chunk does not.
/** A value as a console message names it (strings quoted and cut, objects not spelt out). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
