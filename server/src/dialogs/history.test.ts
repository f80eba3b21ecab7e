// What a member added later sees: with history "from_join" (the default) the messages after they
// were added, the "X added Y" message first, in pages, the dialog's last message, unread counts and
// resume replays alike; with "all" everything before too. System messages are stored messages in
// seq order, in English for clients that do not localise, and nobody's unread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../realtime/protocol.ts';
import { type Env, createEnv } from '../testing/harness.ts';
import { type GroupKit, expectError, groupKit } from './test-support.ts';

let env: Env;
let kit: GroupKit;
beforeAll(async () => {
  // Names in system messages come from the host: give it time on a busy machine (not what is tested here).
  env = await createEnv({ usersInfoTimeoutMs: 5_000 });
  kit = groupKit(env);
});
afterAll(() => env.close());

const page = async (userId: string, dialogId: number, query = '') => (await (await kit.as(userId)).get(`/dialogs/${dialogId}/messages${query}`)).body;
const say = async (userId: string, dialogId: number, text: string) => (await (await kit.as(userId)).post(`/dialogs/${dialogId}/messages`, { text })).body as Message;

describe('history from joining', () => {
  it('a member added later sees from the "added" message on: pages, last message, unread count', async () => {
    const [owner, m1, late] = kit.people(3) as [string, string, string];
    const g = await kit.group(owner, [m1]);
    const before = [await say(m1, g.id, 'one'), await say(m1, g.id, 'two')];
    const added = (await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [late] })).body.last_message as Message;
    const after = await say(m1, g.id, 'three');
    expect((await page(late, g.id)).items).toEqual([added, after]);
    expect((await page(late, g.id)).next_cursor).toBeNull();
    expect((await page(late, g.id, '?limit=1')).next_cursor).toBe(String(after.seq));
    expect((await page(late, g.id, `?before=${after.seq}&limit=1`)).items).toEqual([added]);
    expect((await page(late, g.id, `?before=${after.seq}&limit=1`)).next_cursor).toBeNull();
    expect((await page(late, g.id, `?before=${added.seq}`)).items).toEqual([]);
    expect((await page(late, g.id, '?after=0')).items).toEqual([added, after]);
    const view = (await (await kit.as(late)).get(`/dialogs/${g.id}`)).body;
    expect(view).toMatchObject({ history: 'from_join', last_message: after, unread_count: 1, last_read_seq: 0 });
    // What came before is not theirs to read (or to ask who read).
    expectError(await (await kit.as(late)).post(`/dialogs/${g.id}/read`, { message_id: before[0]!.id }), 404, 'message_not_found');
    expectError(await (await kit.as(late)).get(`/dialogs/${g.id}/messages/${before[1]!.id}/read-by`), 404, 'message_not_found');
    // Everyone else still sees everything.
    expect((await page(m1, g.id)).items.map((m: Message) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a resume from before the joining replays the joining, not what came before', async () => {
    const [owner, late] = kit.people(2) as [string, string];
    const t = await kit.tab(late);
    const ready = t.frames.find((f) => f.type === 'ready');
    const from = ready?.type === 'ready' ? ready.last_event_id : -1;
    t.close();
    const g = await kit.group(owner, kit.people(1));
    await say(owner, g.id, 'before you');
    const added = (await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [late] })).body.last_message;
    const again = await kit.tab(late, from);
    const replay = await kit.streamUntilNow(again, late);
    expect(replay.map((f) => f.type)).toEqual(['message.new', 'dialog.updated']);
    expect(replay[0]!.type === 'message.new' && replay[0]!.message).toEqual(added);
  });

  it('with history "all", a member added later sees everything, and only what came after is unread', async () => {
    const [owner, m1, late] = kit.people(3) as [string, string, string];
    const g = await kit.group(owner, [m1]);
    await say(m1, g.id, 'old news');
    expect((await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { history: 'all' })).body.history).toBe('all');
    await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [late] });
    expect((await page(late, g.id)).items.map((m: Message) => m.text)).toEqual([
      `Name ${owner} created the group “Team”`,
      'old news',
      `Name ${owner} added Name ${late}`,
    ]);
    expect((await (await kit.as(late)).get(`/dialogs/${g.id}`)).body.unread_count).toBe(0);
    const old = (await page(late, g.id)).items[1];
    const read = await (await kit.as(late)).post(`/dialogs/${g.id}/read`, { message_id: old.id });
    expect(read.body).toMatchObject({ seq: old.seq, unread_count: 0 });
    await say(m1, g.id, 'new');
    expect((await (await kit.as(late)).get(`/dialogs/${g.id}`)).body.unread_count).toBe(1);
    // Back to from_join: the same member sees from their joining again.
    await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { history: 'from_join' });
    expect((await page(late, g.id)).items.map((m: Message) => m.text)).toEqual([`Name ${owner} added Name ${late}`, 'new']);
  });
});

describe('system messages', () => {
  it('are stored messages in seq order, sent by nobody, in English, for every change', async () => {
    const [owner, m1, m2, m3] = kit.people(4) as [string, string, string, string];
    const g = await kit.group(owner, [m1, m2], { title: 'Club' });
    const api = await kit.as(owner);
    await say(m1, g.id, 'hi');
    await api.post(`/dialogs/${g.id}/members`, { user_ids: [m3] });
    await api.put(`/dialogs/${g.id}/members/${m1}/role`, { role: 'admin' });
    await api.put(`/dialogs/${g.id}/members/${m1}/role`, { role: 'member' });
    await api.patch(`/dialogs/${g.id}`, { title: 'Night club', avatar_url: 'https://img.example/c.png' });
    await api.delete(`/dialogs/${g.id}/members/${m2}`);
    await (await kit.as(m3)).post(`/dialogs/${g.id}/leave`, {});
    await api.put(`/dialogs/${g.id}/members/${m1}/role`, { role: 'owner' });
    const { items } = await page(m1, g.id);
    const n = (id: string) => `Name ${id}`;
    expect(items.map((m: Message) => [m.seq, m.kind, m.sender_id, m.text])).toEqual([
      [1, 'system', null, `${n(owner)} created the group “Club”`],
      [2, 'text', m1, 'hi'],
      [3, 'system', null, `${n(owner)} added ${n(m3)}`],
      [4, 'system', null, `${n(owner)} made ${n(m1)} an admin`],
      [5, 'system', null, `${n(owner)} removed ${n(m1)} as admin`],
      [6, 'system', null, `${n(owner)} renamed the group to “Night club”`],
      [7, 'system', null, `${n(owner)} changed the group picture`],
      [8, 'system', null, `${n(owner)} removed ${n(m2)}`],
      [9, 'system', null, `${n(m3)} left`],
      [10, 'system', null, `${n(owner)} made ${n(m1)} the owner`],
    ]);
    expect(items.map((m: Message) => m.system?.action ?? null)).toEqual(['created', null, 'added', 'promoted', 'demoted', 'renamed', 'avatar', 'removed', 'left', 'owner']);
    expect(items[5].system).toEqual({ action: 'renamed', actor_id: owner, user_ids: [], title: 'Night club', names: { [owner]: `Name ${owner}` } });
    expect(items[1].system).toBeNull();
    // The wire shape, in full.
    expect(Object.keys(items[0]).sort()).toEqual(['attachments', 'client_msg_id', 'created_at', 'dialog_id', 'id', 'kind', 'sender_id', 'seq', 'system', 'text']);
  });

  it('count in history and pagination, never in unread counts; a read mark may land on one', async () => {
    const [owner, m1] = kit.people(2) as [string, string];
    const g = await kit.group(owner, [m1]);
    const unread = async () => (await (await kit.as(m1)).get(`/dialogs/${g.id}`)).body.unread_count;
    expect(await unread()).toBe(0);
    await say(owner, g.id, 'a');
    await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { title: 'B' });
    await say(owner, g.id, 'c');
    await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: kit.people(2) });
    expect(await unread()).toBe(2);
    const list = (await (await kit.as(m1)).get('/dialogs')).body.items.find((d: any) => d.id === g.id);
    expect(list).toMatchObject({ unread_count: 2, last_message: { kind: 'system', system: { action: 'added' } } });
    const { items } = await page(m1, g.id, '?limit=2');
    expect(items.map((m: Message) => m.kind)).toEqual(['text', 'system']);
    const last = items[1] as Message;
    const read = await (await kit.as(m1)).post(`/dialogs/${g.id}/read`, { message_id: last.id });
    expect(read.body).toMatchObject({ seq: last.seq, message_id: last.id, unread_count: 0 });
    // Reading up to a text message before a change leaves nothing unread behind it but texts.
    await say(owner, g.id, 'd');
    await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { title: 'E' });
    expect(await unread()).toBe(1);
  });
});
