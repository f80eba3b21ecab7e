import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, createEnv, sign } from '../testing/harness.ts';

/** The host-side token exactly as the PHP getJWT() of the original integration guide builds it. */
function phpGetJwt(userId: number, secret: string, ttl: number): string {
  const b64url = (s: Buffer | string) => Buffer.from(s).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '');
  const header = '{"typ":"JWT","alg":"HS256"}';
  const payload = `{"exp":${Math.floor(Date.now() / 1000) + ttl},"user_id":${userId}}`;
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  return `${signingInput}.${b64url(createHmac('sha256', secret).update(signingInput).digest())}`;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

let env: Env;
beforeAll(async () => {
  env = await createEnv({ widgets: 2 });
});
afterAll(() => env.close());

async function me(token: string | null) {
  return env.api(env.widgets[0]!, token).get('/me');
}

describe('site tokens', () => {
  it('accepts a valid token and answers the user from the host', async () => {
    const res = await me(await env.widgets[0]!.token(1));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: '1', name: 'Alice', avatar_url: 'https://example.test/a.png', badge: 'gold' });
  });

  it('accepts a token built byte-for-byte like the PHP getJWT()', async () => {
    const res = await me(phpGetJwt(2, env.widgets[0]!.secret, 3600));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: '2', name: 'Bob', avatar_url: null });
  });

  it('accepts sub as an alias of user_id, and string ids', async () => {
    const secret = env.widgets[0]!.secret;
    expect((await me(await sign(secret, { sub: '3', exp: now() + 60 }))).body).toMatchObject({ user_id: '3', name: 'Карл' });
    expect((await me(await sign(secret, { user_id: 'x-9', exp: now() + 60 }))).body).toMatchObject({ name: 'String Id' });
  });

  it('tolerates 60 s of clock skew but not more', async () => {
    const secret = env.widgets[0]!.secret;
    expect((await me(await sign(secret, { user_id: 1, exp: now() - 30 }))).status).toBe(200);
    const res = await me(await sign(secret, { user_id: 1, exp: now() - 120 }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_expired');
    expect(res.body.error.message).toMatch(/expired at \d{4}-/);
  });

  it('refuses a token signed with another secret, or with another widget\'s secret', async () => {
    const other = await sign('x'.repeat(40), { user_id: 1, exp: now() + 60 });
    const crossWidget = await env.widgets[1]!.token(1);
    for (const token of [other, crossWidget]) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('token_bad_signature');
      expect(JSON.stringify(res.body)).not.toContain(env.widgets[0]!.secret);
    }
  });

  it('refuses alg none, HS512 and RS256', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ user_id: 1, exp: now() + 60 })}.`;
    const hs512 = await sign(env.widgets[0]!.secret, { user_id: 1, exp: now() + 60 }, 'HS512');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs256 = await new SignJWT({ user_id: 1, exp: now() + 60 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    for (const token of [unsigned, hs512, rs256]) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('token_bad_algorithm');
    }
  });

  it('refuses a token without exp, or with a non-numeric exp', async () => {
    const secret = env.widgets[0]!.secret;
    for (const claims of [{ user_id: 1 }, { user_id: 1, exp: 'tomorrow' }]) {
      const res = await me(await sign(secret, claims));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('token_bad_claims');
      expect(res.body.error.message).toContain('exp');
    }
  });

  it('refuses a user_id that is not a non-empty string or an integer', async () => {
    const secret = env.widgets[0]!.secret;
    for (const user_id of [undefined, '', '   ', 1.5, true, { id: 1 }, ['1'], null]) {
      const res = await me(await sign(secret, { user_id, exp: now() + 60 }));
      expect(res.status, JSON.stringify(user_id)).toBe(401);
      expect(res.body.error.code).toBe('token_bad_claims');
    }
  });

  it('refuses a user_id padded with white space, with a control character or a lone surrogate, instead of trimming it', async () => {
    const secret = env.widgets[0]!.secret;
    for (const user_id of [' 1 ', '1 ', '\u00a01', '1\u0000', 'a\u202eb', '\ud800', 'z'.repeat(129)]) {
      const res = await me(await sign(secret, { user_id, exp: now() + 60 }));
      expect(res.status, JSON.stringify(user_id)).toBe(401);
      expect(res.body.error).toEqual({ code: 'token_bad_claims', message: expect.stringMatching(/"user_id" must be a string of 1–128 characters/) });
    }
    // The longest id the rule allows still signs in (the host does not know it: 404, not 401).
    expect((await me(await sign(secret, { user_id: 'z'.repeat(128), exp: now() + 60 }))).status).toBe(404);
  });

  it('refuses malformed tokens and missing headers with plain-word errors', async () => {
    for (const token of ['abc', 'a.b.c', `bm90LWpzb24.${b64({ user_id: 1 })}.sig`, '...']) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('token_malformed');
    }
    const none = await me(null);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('token_missing');
    const basic = await env.api(env.widgets[0]!, null).raw('/me', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(basic.body.error.code).toBe('token_missing');
  });
});
