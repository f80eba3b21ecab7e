// Group dialogs in the core: created through the API with users the host knows; messages, unread
// counts, receipts and typing work for every member; strangers and other widgets see nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, createEnv, roundTrip } from '../testing/harness.ts';

let env: Env;
const members = ['g1', 'g2', 'g3', 'g4'];
beforeAll(async () => {
  env = await createEnv({
    // Names in system messages come from the host: give it time on a busy machine.
    usersInfoTimeoutMs: 5_000,
    widgets: 2,
    users: [...members, 'outsider'].map((id) => ({ user_id: id, name: `Name ${id}` })),
  });
});
afterAll(() => env.close());

const w = () => env.widgets[0]!;
const as = async (userId: string, widget = w()) => env.api(widget, await widget.token(userId));
const tab = async (userId: string, widget = w()) => env.ws(widget, await widget.token(userId));

describe('groups', () => {
  it('creates a group of the caller and the listed users, announced to every member', async () => {
    const tabs = await Promise.all(members.map((m) => tab(m)));
    const outsider = await tab('outsider');
    const created = await (await as('g1')).post('/dialogs', { type: 'group', title: '  Book club 📚  ', user_ids: ['g2', 'g3', 'g4', 'g2', 'g1'] });
    expect(created.status).toBe(201);
    // Its first message is the system message of its creation, nobody's unread.
    expect(created.body).toMatchObject({ type: 'group', title: 'Book club 📚', member_count: 4, unread_count: 0, membership: 'member', muted: false });
    expect(created.body.last_message).toMatchObject({
      seq: 1,
      kind: 'system',
      sender_id: null,
      text: 'Name g1 created the group “Book club 📚”',
      system: { action: 'created', actor_id: 'g1', user_ids: [], title: 'Book club 📚', names: { g1: 'Name g1' } },
    });
    expect(created.body.members.map((m: any) => m.user_id)).toEqual(members);
    expect(created.body.members_state.map((m: any) => m.role)).toEqual(['owner', 'member', 'member', 'member']);
    for (const t of tabs) {
      expect((await t.next('message.new')).message).toEqual(created.body.last_message);
      expect((await t.next('dialog.updated')).dialog).toMatchObject({ id: created.body.id, type: 'group', title: 'Book club 📚', unread_count: 0 });
    }
    await roundTrip(outsider);
    expect(outsider.frames.map((f) => f.type)).toEqual(['ready', 'pong']);
    // Listed for every member at once, even while empty.
    for (const m of members) expect((await (await as(m)).get('/dialogs')).body.items.map((d: any) => d.id)).toContain(created.body.id);
  });

  it('sends one frame per message to all members and counts unread per member', async () => {
    const { body: g } = await (await as('g1')).post('/dialogs', { type: 'group', title: 'Counts', user_ids: ['g2', 'g3'] });
    const g3 = await tab('g3');
    const sent = await (await as('g2')).post(`/dialogs/${g.id}/messages`, { text: 'hello all' });
    expect(sent.status).toBe(201);
    const frame = await g3.next('message.new');
    expect(frame.message).toEqual(sent.body);
    await (await as('g1')).post(`/dialogs/${g.id}/messages`, { text: 'hi' });
    const unread = async (m: string) => (await (await as(m)).get(`/dialogs/${g.id}`)).body.unread_count;
    expect(await unread('g1')).toBe(0);
    expect(await unread('g2')).toBe(0 + 1);
    expect(await unread('g3')).toBe(2);
    const read = await (await as('g3')).post(`/dialogs/${g.id}/read`, { message_id: sent.body.id });
    // seq 1 is the group's creation; the messages are 2 and 3.
    expect(read.body).toMatchObject({ seq: 2, unread_count: 1 });
    expect(await g3.next('message.read')).toMatchObject({ dialog_id: g.id, user_id: 'g3', seq: 2 });
    const delivered = (await (await as('g1')).get(`/dialogs/${g.id}`)).body.members_state.find((s: any) => s.user_id === 'g3');
    expect(delivered.last_delivered_seq).toBeGreaterThanOrEqual(2);
  });

  it('tells receipts to the sender only, so they never fan out to every member', async () => {
    const { body: g } = await (await as('g1')).post('/dialogs', { type: 'group', title: 'Receipts', user_ids: ['g2', 'g3', 'g4'] });
    const [t1, t2, t3, t3b] = await Promise.all(['g1', 'g2', 'g3', 'g3'].map((m) => tab(m)));
    const sent = (await (await as('g2')).post(`/dialogs/${g.id}/messages`, { text: 'tick me' })).body;
    const delivered = await t2!.next('message.delivered');
    expect(delivered).toMatchObject({ dialog_id: g.id, seq: sent.seq });
    expect(['g1', 'g3']).toContain(delivered.user_id);
    expect('event_id' in delivered).toBe(false);
    await (await as('g3')).post(`/dialogs/${g.id}/read`, { message_id: sent.id });
    const read = await t2!.next('message.read');
    expect(read).toMatchObject({ dialog_id: g.id, user_id: 'g3', seq: sent.seq });
    expect('event_id' in read).toBe(false);
    // The reader's other tab gets it from the log (with an event_id); the other members get nothing.
    expect(await t3b!.next('message.read')).toMatchObject({ user_id: 'g3', event_id: expect.any(Number) });
    for (const t of [t1!, t3!]) await roundTrip(t);
    expect(t1!.frames.filter((f) => f.type === 'message.read' || f.type === 'message.delivered')).toEqual([]);
    expect(t3!.frames.filter((f) => f.type === 'message.delivered')).toEqual([]);
    const state = (await (await as('g2')).get(`/dialogs/${g.id}`)).body.members_state;
    expect(state.find((m: any) => m.user_id === 'g3')).toMatchObject({ last_read_seq: sent.seq, last_delivered_seq: sent.seq });
  });

  it('shows typing to the other members only', async () => {
    const { body: g } = await (await as('g1')).post('/dialogs', { type: 'group', title: 'Typing', user_ids: ['g2', 'g3'] });
    const [t1, t2, t3] = await Promise.all(['g1', 'g2', 'g3'].map((m) => tab(m)));
    t1!.send({ type: 'typing.start', dialog_id: g.id });
    expect(await t2!.next('typing.start')).toMatchObject({ dialog_id: g.id, user_id: 'g1' });
    expect(await t3!.next('typing.start')).toMatchObject({ dialog_id: g.id, user_id: 'g1' });
    await roundTrip(t1!);
    expect(t1!.frames.filter((f) => f.type === 'typing.start')).toEqual([]);
  });

  it('keeps strangers and other widgets out', async () => {
    const { body: g } = await (await as('g1')).post('/dialogs', { type: 'group', title: 'Private', user_ids: ['g2'] });
    for (const api of [await as('outsider'), await as('g1', env.widgets[1]!)]) {
      for (const res of [
        await api.get(`/dialogs/${g.id}`),
        await api.get(`/dialogs/${g.id}/messages`),
        await api.post(`/dialogs/${g.id}/messages`, { text: 'let me in' }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('dialog_not_found');
      }
    }
    const stranger = await tab('outsider');
    stranger.send({ type: 'typing.start', dialog_id: g.id });
    expect(await stranger.next('error')).toMatchObject({ code: 'dialog_not_found' });
  });

  it('keeps strangers and another widget’s users out of running a group: every endpoint answers 404 and changes nothing', async () => {
    const { body: g } = await (await as('g1')).post('/dialogs', { type: 'group', title: 'Private', user_ids: ['g2'] });
    const { body: d } = await (await as('g1')).post('/dialogs', { user_id: 'g2' });
    const sent = (await (await as('g2')).post(`/dialogs/${g.id}/messages`, { text: 'members only' })).body;
    // (Delivered positions and presence move with the sockets opened here: they are left out.)
    const state = async () => {
      const { members_state, ...rest } = (await (await as('g1')).get(`/dialogs/${g.id}`)).body;
      return { ...rest, members_state: members_state.map(({ last_delivered_seq: _d, online: _o, ...m }: any) => m) };
    };
    const before = await state();
    const tabs = [await tab('g1'), await tab('g2')];
    // Another widget with the same user ids, even the group's own owner's id, is someone else.
    for (const api of [await as('outsider'), await as('g1', env.widgets[1]!), await as('g2', env.widgets[1]!)]) {
      for (const id of [g.id, d.id, g.id + 1_000_000]) {
        for (const res of [
          await api.post(`/dialogs/${id}/members`, { user_ids: ['outsider'] }),
          await api.delete(`/dialogs/${id}/members/g2`),
          await api.delete(`/dialogs/${id}/members/outsider`),
          await api.post(`/dialogs/${id}/leave`, {}),
          await api.patch(`/dialogs/${id}`, { title: 'Mine now' }),
          await api.put(`/dialogs/${id}/members/g2/role`, { role: 'owner' }),
          await api.put(`/dialogs/${id}/members/outsider/role`, { role: 'admin' }),
          await api.put(`/dialogs/${id}/mute`, { muted: true }),
          await api.get(`/dialogs/${id}/messages/${sent.id}/read-by`),
        ]) {
          expect(res.status, JSON.stringify(res.body)).toBe(404);
          expect(res.body.error.code).toBe('dialog_not_found');
        }
      }
    }
    expect(await state()).toEqual(before);
    for (const t of tabs) {
      await roundTrip(t);
      // (A delivered receipt of the member's own connecting may come; nothing of a change does.)
      expect(t.frames.filter((f) => ['message.new', 'dialog.updated'].includes(f.type))).toEqual([]);
    }
  });

  it('refuses a bad group with a plain-word error', async () => {
    const api = await as('g1');
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{ type: 'group', title: '   ', user_ids: ['g2'] }, 400, 'validation_failed', /title must not be empty/],
      [{ type: 'group', title: 'x'.repeat(201), user_ids: ['g2'] }, 400, 'validation_failed', /at most 200/],
      [{ type: 'group', title: 'No one', user_ids: [] }, 400, 'validation_failed', /at least one other user/],
      [{ type: 'group', title: 'Bad ids', user_ids: [''] }, 400, 'validation_failed', /user_ids\.0/],
      [{ type: 'channel', title: 'What', user_ids: ['g2'] }, 400, 'validation_failed', /direct" or "group/],
      [{ type: 'group', title: 'Ghosts', user_ids: ['g2', 'nobody-1', 'nobody-2'] }, 404, 'user_not_found', /"nobody-1", "nobody-2"/],
      [{ type: 'group', title: 'Huge', user_ids: Array.from({ length: 501 }, (_, i) => `x${i}`) }, 400, 'validation_failed', /at most 500/],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await api.post('/dialogs', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(message);
    }
    // 500 listed users plus the creator is one too many.
    const tooMany = await api.post('/dialogs', { type: 'group', title: 'Huge', user_ids: Array.from({ length: 500 }, (_, i) => `x${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('group_too_large');
  });
});
