// What the page passes to the group calls is checked before anything is sent: refusals name the
// option and what was expected, in the console and in the rejected promise.
import { afterEach, expect, it, vi } from 'vitest';
import { PageApiError, checkDialogId, checkGroup } from './group-api.ts';

afterEach(() => vi.restoreAllMocks());

it('takes a title (trimmed) and user ids as strings or integers, once each', async () => {
  await expect(checkGroup({ title: '  Hikers ', user_ids: [7, '8', 7, 'guest-x'] })).resolves.toEqual({ title: 'Hikers', user_ids: ['7', '8', 'guest-x'] });
  // addToRoom: the ImbaChat plugins' shape, { user_id } entries under users_ids; the rest ignored.
  await expect(checkGroup({ pipe: 'c100', is_public: 1, type: 2, title: 'Conf', users_ids: [{ user_id: 5 }, { user_id: '6' }] }, true)).resolves.toEqual({ title: 'Conf', user_ids: ['5', '6'] });
  await expect(checkDialogId(12)).resolves.toBe(12);
  await expect(checkDialogId('12')).resolves.toBe(12);
});

it('refuses what cannot work, saying why', async () => {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  const refused = [
    checkGroup(undefined),
    checkGroup({ title: '', user_ids: ['1'] }),
    checkGroup({ title: 'x'.repeat(201), user_ids: ['1'] }),
    checkGroup({ title: 'T', user_ids: [] }),
    checkGroup({ title: 'T', user_ids: Array.from({ length: 501 }, (_, i) => i + 1) }),
    checkGroup({ title: 'T', user_ids: [1.5] }),
    checkGroup({ title: 'T', user_ids: [' 1'] }),
    checkGroup({ title: 'T', user_ids: ['1'] }, true), // addToRoom wants users_ids
    checkDialogId(0),
    checkDialogId('012'),
    checkDialogId('1e3'),
    checkDialogId(2 ** 60),
  ];
  for (const p of refused) await expect(p).rejects.toBeInstanceOf(PageApiError);
  await expect(checkGroup({ title: 'T', user_ids: [] })).rejects.toMatchObject({ code: 'validation_failed' });
  expect(error.mock.calls.map((c) => String(c[0]))).toEqual([
    expect.stringContaining('imbaApi.createGroup(options) needs an object'),
    expect.stringContaining('"title" must be a text of 1–200 characters (got "")'),
    expect.stringContaining('"title" must be a text of 1–200 characters'),
    expect.stringContaining('"user_ids" must list 1–500 members (got 0)'),
    expect.stringContaining('"user_ids" must list 1–500 members (got 501)'),
    expect.stringContaining("every member's user id must be"),
    expect.stringContaining("every member's user id must be"),
    expect.stringContaining('imbaApi.addToRoom: "users_ids" must list'),
    expect.stringContaining('imbaApi.openGroup: the dialog id must be a positive integer (got number 0)'),
    expect.stringContaining('(got "012")'),
    expect.stringContaining('(got "1e3")'),
    expect.stringContaining('imbaApi.openGroup'),
    expect.stringContaining('"user_ids" must list 1–500 members (got 0)'),
  ]);
  for (const [message] of error.mock.calls) expect(String(message)).toMatch(/^\[ImbaChat\] /);
});
