// "last seen 5 minutes ago" comes from Intl.RelativeTimeFormat in the widget's language.
import { afterEach, expect, it } from 'vitest';
import { setLang } from '../i18n/index.ts';
import { formatAgo } from './format.ts';

afterEach(() => setLang('en'));
const now = Date.parse('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

it('says how long ago, in words, in the widget language', async () => {
  expect(formatAgo(ago(20_000), now)).toBe('just now');
  expect(formatAgo(ago(5 * 60_000), now)).toBe('5 minutes ago');
  expect(formatAgo(ago(3 * 3_600_000), now)).toBe('3 hours ago');
  expect(formatAgo(ago(26 * 3_600_000), now)).toBe('yesterday');
  await setLang('ru');
  expect(formatAgo(ago(5 * 60_000), now)).toBe('5 минут назад');
});
