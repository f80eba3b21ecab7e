// The verified-token cache: a hit must never outlive what a fresh check would accept.
import { describe, expect, it } from 'vitest';
import { sign } from '../testing/harness.ts';
import { TokenCache } from './token.ts';

const secret = 's'.repeat(40);
const rotated = 'r'.repeat(40);

describe('verified-token cache', () => {
  it('serves a verified token again, and refuses it once the widget secret rotated', async () => {
    const cache = new TokenCache();
    const now = 1_900_000_000_000;
    const token = await sign(secret, { user_id: 7, exp: now / 1000 + 60 });
    expect((await cache.verify(token, secret, now, 0)).userId).toBe('7');
    expect((await cache.verify(token, secret, now + 1000, 0)).userId).toBe('7');
    await expect(cache.verify(token, rotated, now + 2000, 0)).rejects.toMatchObject({ code: 'token_bad_signature' });
  });

  it('stops serving a cached token at exp plus the leeway, like a fresh check', async () => {
    const cache = new TokenCache();
    const now = 1_900_000_000_000;
    const token = await sign(secret, { user_id: 'a', exp: now / 1000 + 10 });
    await cache.verify(token, secret, now, 5);
    expect((await cache.verify(token, secret, now + 14_000, 5)).userId).toBe('a');
    await expect(cache.verify(token, secret, now + 15_001, 5)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('stays within its bound, dropping the oldest tokens first', async () => {
    const cache = new TokenCache(2);
    const now = 1_900_000_000_000;
    const tokens = await Promise.all([1, 2, 3].map((id) => sign(secret, { user_id: id, exp: now / 1000 + 60 })));
    for (const t of tokens) await cache.verify(t, secret, now, 0);
    expect(cache.size).toBe(2);
    // The evicted one is verified afresh, still correctly.
    expect((await cache.verify(tokens[0]!, secret, now, 0)).userId).toBe('1');
  });
});
