// Who read a message: the other current members (not the caller, not its sender) whose read
// position reached it, each with when it first did, exact (the server's clock at the read mark),
// durable across a restart, most recent first. And mute: per member, direct dialogs too, told
// only to the caller's own sockets. Time is a ManualClock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GroupKit, expectError, groupKit } from '../dialogs/test-support.ts';
import type { Message } from '../realtime/protocol.ts';
import { ManualClock } from '../testing/clock.ts';
import { type Env, createEnv, roundTrip } from '../testing/harness.ts';

let env: Env;
let kit: GroupKit;
const clock = new ManualClock();
beforeAll(async () => {
  env = await createEnv({ clock, usersInfoTimeoutMs: 5_000 });
  kit = groupKit(env);
});
afterAll(() => env.close());

const at = () => new Date(clock.now()).toISOString();
const readBy = async (userId: string, dialogId: number, messageId: number) =>
  (await (await kit.as(userId)).get(`/dialogs/${dialogId}/messages/${messageId}/read-by`)).body;

describe('read-by', () => {
  it('lists the other members whose position reached the message, with when it first did, most recent first', async () => {
    const [author, r1, r2, idle] = kit.people(4) as [string, string, string, string];
    const g = await kit.group(author, [r1, r2, idle]);
    const m1: Message = (await (await kit.as(author)).post(`/dialogs/${g.id}/messages`, { text: 'read me' })).body;
    const m2: Message = (await (await kit.as(author)).post(`/dialogs/${g.id}/messages`, { text: 'and me' })).body;
    expect(await readBy(author, g.id, m1.id)).toEqual({ items: [], count: 0 });
    clock.advance(1_000);
    const t1 = at();
    await (await kit.as(r1)).post(`/dialogs/${g.id}/read`, { message_id: m1.id });
    clock.advance(1_000);
    const t2 = at();
    await (await kit.as(r2)).post(`/dialogs/${g.id}/read`, { message_id: m2.id });
    clock.advance(1_000);
    const t3 = at();
    await (await kit.as(r1)).post(`/dialogs/${g.id}/read`, { message_id: m2.id });
    expect(await readBy(author, g.id, m1.id)).toEqual({ items: [{ user_id: r2, read_at: t2 }, { user_id: r1, read_at: t1 }], count: 2 });
    expect(await readBy(author, g.id, m2.id)).toEqual({ items: [{ user_id: r1, read_at: t3 }, { user_id: r2, read_at: t2 }], count: 2 });
    // The caller is left out, and so is the message's sender.
    expect(await readBy(r1, g.id, m1.id)).toEqual({ items: [{ user_id: r2, read_at: t2 }], count: 1 });
    // The times are stored: they survive a restart.
    await env.restart();
    expect(await readBy(idle, g.id, m1.id)).toEqual({ items: [{ user_id: r2, read_at: t2 }, { user_id: r1, read_at: t1 }], count: 2 });
  });

  it('a reply that skips unread messages reads them; a member who left is not listed', async () => {
    const [author, replier, gone] = kit.people(3) as [string, string, string];
    const g = await kit.group(author, [replier, gone]);
    const m: Message = (await (await kit.as(author)).post(`/dialogs/${g.id}/messages`, { text: 'anyone?' })).body;
    await (await kit.as(gone)).post(`/dialogs/${g.id}/read`, { message_id: m.id });
    clock.advance(500);
    const replied = at();
    await (await kit.as(replier)).post(`/dialogs/${g.id}/messages`, { text: 'me' });
    expect((await readBy(author, g.id, m.id)).items).toEqual([{ user_id: replier, read_at: replied }, { user_id: gone, read_at: expect.any(String) }]);
    await (await kit.as(gone)).post(`/dialogs/${g.id}/leave`, {});
    expect((await readBy(author, g.id, m.id)).items).toEqual([{ user_id: replier, read_at: replied }]);
  });

  it('works in a direct dialog, and answers 404 for a message elsewhere, a stranger and a bad id', async () => {
    const [a, b, stranger] = kit.people(3) as [string, string, string];
    const { body: d } = await (await kit.as(a)).post('/dialogs', { user_id: b });
    const m: Message = (await (await kit.as(a)).post(`/dialogs/${d.id}/messages`, { text: 'hi' })).body;
    await (await kit.as(b)).post(`/dialogs/${d.id}/read`, { message_id: m.id });
    expect(await readBy(a, d.id, m.id)).toEqual({ items: [{ user_id: b, read_at: at() }], count: 1 });
    const g = await kit.group(a, [b]);
    expectError(await (await kit.as(a)).get(`/dialogs/${g.id}/messages/${m.id}/read-by`), 404, 'message_not_found');
    expectError(await (await kit.as(stranger)).get(`/dialogs/${d.id}/messages/${m.id}/read-by`), 404, 'dialog_not_found');
    expectError(await (await kit.as(a)).get(`/dialogs/${d.id}/messages/0/read-by`), 400, 'validation_failed');
  });
});

describe('mute', () => {
  it('mutes a dialog for the caller only; only the caller’s sockets hear of it', async () => {
    const [a, b] = kit.people(2) as [string, string];
    const g = await kit.group(a, [b]);
    const [tabA, otherTabA, tabB] = [await kit.tab(a), await kit.tab(a), await kit.tab(b)];
    const muted = await (await kit.as(a)).put(`/dialogs/${g.id}/mute`, { muted: true });
    expect(muted.status).toBe(200);
    expect(muted.body).toMatchObject({ id: g.id, muted: true });
    for (const t of [tabA, otherTabA]) expect((await t.next('dialog.updated')).dialog).toEqual(muted.body);
    await roundTrip(tabB);
    expect(tabB.frames.filter((f) => f.type === 'dialog.updated')).toEqual([]);
    expect((await (await kit.as(b)).get(`/dialogs/${g.id}`)).body.muted).toBe(false);
    expect((await (await kit.as(a)).get('/dialogs')).body.items.find((d: any) => d.id === g.id).muted).toBe(true);
    // Muting what is muted changes nothing and tells nobody.
    expect((await (await kit.as(a)).put(`/dialogs/${g.id}/mute`, { muted: true })).body.muted).toBe(true);
    await roundTrip(tabA);
    expect(tabA.frames.filter((f) => f.type === 'dialog.updated')).toHaveLength(1);
    expect((await (await kit.as(a)).put(`/dialogs/${g.id}/mute`, { muted: false })).body.muted).toBe(false);
  });

  it('works in a direct dialog, and refuses a bad body, a stranger and a member who left', async () => {
    const [a, b, stranger] = kit.people(3) as [string, string, string];
    const { body: d } = await (await kit.as(a)).post('/dialogs', { user_id: b });
    expect((await (await kit.as(b)).put(`/dialogs/${d.id}/mute`, { muted: true })).body).toMatchObject({ type: 'direct', muted: true });
    expectError(await (await kit.as(a)).put(`/dialogs/${d.id}/mute`, { muted: 'yes' }), 400, 'validation_failed', /muted must be true or false/);
    expectError(await (await kit.as(stranger)).put(`/dialogs/${d.id}/mute`, { muted: true }), 404, 'dialog_not_found');
    const g = await kit.group(a, [b]);
    await (await kit.as(b)).post(`/dialogs/${g.id}/leave`, {});
    expectError(await (await kit.as(b)).put(`/dialogs/${g.id}/mute`, { muted: true }), 404, 'dialog_not_found');
  });
});
