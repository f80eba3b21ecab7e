// One user-id rule, and no user's lookup spoiled by another's id: the identity-ambiguity and
// batch-poisoning findings, through the real API and the real host site.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeUserId as widgetRule } from '../../../widget/src/api.ts';
import { verifyToken } from '../auth/token.ts';
import { normalizeUserId } from '../realtime/protocol.ts';
import { type Env, TEST_HOST_ALLOWLIST, createEnv, quietLog, sign } from '../testing/harness.ts';
import { UsersDirectory } from './directory.ts';
import { userIdInput } from './schema.ts';

let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const LONE = '\ud800';
const exp = () => Math.floor(Date.now() / 1000) + 600;

describe('cross-user poisoning', () => {
  it('a user id with a lone surrogate is refused, and a real user asking at the same moment still gets their name', async () => {
    // A host that answers late is a placeholder name, which this test must not mistake for poisoning.
    env = await createEnv({ usersInfoTimeoutMs: 5_000 });
    const w = env.widgets[0]!;
    const alice = env.api(w, await w.token(1));
    const [me, direct, group, poisonedMe] = await Promise.all([
      alice.get('/me'),
      alice.post('/dialogs', { user_id: LONE }),
      alice.post('/dialogs', { type: 'group', title: 'G', user_ids: [2, LONE] }),
      env.api(w, await sign(w.secret, { user_id: LONE, exp: exp() })).get('/me'),
    ]);
    expect(me.status).toBe(200);
    expect(me.body.name).toBe('Alice');
    expect(direct.status).toBe(400);
    expect(direct.body.error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/user_id/) });
    expect(group.status).toBe(400);
    expect(poisonedMe.status).toBe(401);
    expect(poisonedMe.body.error.code).toBe('token_bad_claims');
    // The host was only ever asked about well-formed ids.
    expect(w.host.requests.flatMap((r) => r.ids).every((id) => normalizeUserId(id) === id)).toBe(true);
  });

  it('an unknown user id gets 404 on open-dialog, alone and batched with a poisoned id', async () => {
    env = await createEnv();
    const w = env.widgets[0]!;
    const alice = env.api(w, await w.token(1));
    const alone = await alice.post('/dialogs', { user_id: 998 });
    expect(alone.status).toBe(404);
    expect(alone.body.error.code).toBe('user_not_found');
    const [batched, poisoned, known] = await Promise.all([
      alice.post('/dialogs', { user_id: 997 }),
      alice.post('/dialogs', { user_id: LONE }),
      alice.post('/dialogs', { user_id: 2 }),
    ]);
    expect(batched.status).toBe(404);
    expect(batched.body.error.code).toBe('user_not_found');
    expect(poisoned.status).toBe(400);
    expect(known.status).toBe(201);
    expect(known.body.members.map((m: { name: string }) => m.name).sort()).toEqual(['Alice', 'Bob']);
  });

  it('an id that breaks the rule never reaches the host, and the real user in the same batch is found', async () => {
    env = await createEnv();
    const w = env.widgets[0]!;
    const dir = new UsersDirectory({ ttlMs: 60_000, timeoutMs: 1000, log: quietLog, hostAllowlist: TEST_HOST_ALLOWLIST });
    const got = await dir.getMany(w.row, ['1', LONE, ' 1 ', 'a\u0000b', 'x'.repeat(129)]);
    expect(got.get('1')).toMatchObject({ status: 'found', user: { name: 'Alice' } });
    for (const bad of [LONE, ' 1 ', 'a\u0000b', 'x'.repeat(129)]) expect(got.get(bad)?.status).toBe('missing');
    expect(w.host.requests.map((r) => r.ids)).toEqual([['1']]);
  });
});

describe('identity ambiguity', () => {
  it('" 1 " is refused, not trimmed into user 1: in a token, an open-dialog body and a group', async () => {
    env = await createEnv();
    const w = env.widgets[0]!;
    const padded = await env.api(w, await sign(w.secret, { user_id: ' 1 ', exp: exp() })).get('/me');
    expect(padded.status).toBe(401);
    expect(padded.body.error).toMatchObject({ code: 'token_bad_claims', message: expect.stringMatching(/white space/) });
    const alice = env.api(w, await w.token(1));
    for (const body of [{ user_id: ' 2 ' }, { user_id: '2\n' }, { type: 'group', title: 'G', user_ids: ['2', ' 3'] }]) {
      const res = await alice.post('/dialogs', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(/must be a string of 1–128 characters without white space at either end/);
    }
  });

  it('"01", "1.0" and "-1" are users of their own, never user 1; the integer 1 and "1" are one user', async () => {
    env = await createEnv();
    const w = env.widgets[0]!;
    for (const id of ['01', '1.0', '-1']) {
      const res = await env.api(w, await sign(w.secret, { user_id: id, exp: exp() })).get('/me');
      expect(res.status, id).toBe(404);
      expect(res.body.error.message).toContain(`"${id}"`);
    }
    expect(w.host.requests.flatMap((r) => r.ids).sort()).toEqual(['-1', '01', '1.0']);
    for (const id of [1, '1']) {
      expect((await env.api(w, await sign(w.secret, { user_id: id, exp: exp() })).get('/me')).body).toMatchObject({ user_id: '1', name: 'Alice' });
    }
  });

  it('the widget, the token check, the schemas and the config use the one rule: 128 characters yes, 129, " 1 " and a lone surrogate no', async () => {
    expect(widgetRule).toBe(normalizeUserId);
    const secret = 's'.repeat(40);
    const accepted = ['x'.repeat(128), '1', 'Карл', 'a b', '😀', 42];
    const refused = ['x'.repeat(129), ' 1 ', '1 ', '\t1', LONE, 'a\u200bb', '', 1.5, null];
    for (const id of accepted) {
      expect(userIdInput.safeParse(id).success, String(id)).toBe(true);
      expect((await verifyToken(await sign(secret, { user_id: id, exp: exp() }), secret, Date.now())).userId).toBe(String(id));
    }
    for (const id of refused) {
      expect(userIdInput.safeParse(id).success, JSON.stringify(id)).toBe(false);
      await expect(verifyToken(await sign(secret, { user_id: id, exp: exp() }), secret, Date.now()), JSON.stringify(id)).rejects.toMatchObject({ code: 'token_bad_claims' });
    }
  });

  it('an id is accepted as it is or refused, never repaired, and every accepted id can be put into a URL', () => {
    // Any UTF-16 code unit, lone surrogates and controls included, often padded with white space.
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const raw = fc.oneof(fc.string({ unit: codeUnit, maxLength: 140 }), fc.string({ unit: 'binary', maxLength: 140 }));
    const id = fc.oneof(raw, fc.tuple(fc.constantFrom(' ', '\t', '\u00a0', '\ufeff', ''), raw, fc.constantFrom(' ', '\n', ''))).map((v) => (Array.isArray(v) ? v.join('') : v));
    fc.assert(
      fc.property(id, (s) => {
        const accepted = normalizeUserId(s);
        if (accepted === null) return;
        expect(accepted).toBe(s);
        expect(decodeURIComponent(encodeURIComponent(accepted))).toBe(s);
      }),
      { numRuns: 5_000 },
    );
    for (const s of ['x'.repeat(128), 'Карл', '😀', 'a/b?c=d&e#f', '%zz']) expect(normalizeUserId(s)).toBe(s);
  });
});
