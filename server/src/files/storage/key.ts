// The one rule for storage keys and prefixes, shared by every FileStorage implementation. The
// server makes the keys, but a key also becomes a path on disk and an object name in a bucket, so
// every implementation checks every key again before it touches anything.

export const MAX_STORAGE_KEY_LENGTH = 256;

// The first segment has no '.', so no key can reach local.ts's scratch directory `.tmp`.
const KEY_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

/** What is wrong with `key`, in a few words; null when it is a valid key. */
function keyProblem(key: unknown): string | null {
  if (typeof key !== 'string') return 'is not a string';
  if (key === '') return 'is empty';
  if (key.length > MAX_STORAGE_KEY_LENGTH) return `is longer than ${MAX_STORAGE_KEY_LENGTH} characters`;
  if (key.startsWith('/')) return 'starts with "/" (keys are relative)';
  const segments = key.split('/');
  if (segments.some((s) => s === '')) return 'has an empty segment ("//" or a trailing "/")';
  if (segments.some((s) => s === '.' || s === '..')) return 'has a "." or ".." segment';
  if (!KEY_PATTERN.test(key)) {
    return 'may hold only ASCII letters, digits, "_", "-", "." and "/", and its first segment no "."';
  }
  return null;
}

// Keys are not secrets, and a bad one means a server bug: showing its start helps find it.
function show(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/** Throws a plain Error naming the problem unless `key` is a valid storage key. */
export function assertStorageKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new Error(`storage key ${show(key)} ${problem}`);
}

/**
 * Throws unless `prefix` is a valid key followed by "/": a prefix always ends at a segment
 * boundary, so `w1/` can never take `w10/…` with it.
 */
export function assertStoragePrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    throw new Error(`storage prefix ${show(prefix)} must end with "/"`);
  }
  const problem = keyProblem(prefix.slice(0, -1));
  if (problem) throw new Error(`storage prefix ${show(prefix)} ${problem === 'is empty' ? 'names nothing before its "/"' : problem}`);
}
