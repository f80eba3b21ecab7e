import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, createEnv, roundTrip } from '../testing/harness.ts';

let env: Env;
beforeAll(async () => {
  env = await createEnv({ widgets: 2 });
});
afterAll(() => env.close());

const w = () => env.widgets[0]!;
async function as(userId: number | string, widget = w()) {
  return env.api(widget, await widget.token(userId));
}

describe('two users chat over REST and WebSocket', () => {
  it('delivers a committed message to every socket of both members, and nothing to a third user', async () => {
    const alice = await as(1);
    const bob = await as(2);
    const aliceTab = await env.ws(w(), await w().token(1));
    const bobTab1 = await env.ws(w(), await w().token(2));
    const bobTab2 = await env.ws(w(), await w().token(2));
    const carl = await env.ws(w(), await w().token(3));

    const opened = await alice.post('/dialogs', { user_id: 2 });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ type: 'direct', unread_count: 0, last_message: null });
    expect(opened.body.members.map((m: any) => m.user_id)).toEqual(['1', '2']);
    const id = opened.body.id;

    const sent = await alice.post(`/dialogs/${id}/messages`, { text: '  Привет, Bob! 👋  ', client_msg_id: 'a-1' });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ dialog_id: id, seq: 1, sender_id: '1', text: 'Привет, Bob! 👋', client_msg_id: 'a-1' });
    expect(new Date(sent.body.created_at).toISOString()).toBe(sent.body.created_at);

    for (const tab of [aliceTab, bobTab1, bobTab2]) {
      expect((await tab.next('message.new')).message).toEqual(sent.body);
    }
    // One frame per message for everyone; each member's dialog (own unread count) is theirs to fetch.
    const bobDialog = (await bob.get(`/dialogs/${id}`)).body;
    expect(bobDialog).toMatchObject({ id, type: 'direct', title: null, member_count: 2, unread_count: 1, last_message: { id: sent.body.id } });
    expect(bobDialog.members.find((m: any) => m.user_id === '1')).toMatchObject({ name: 'Alice', badge: 'gold' });
    await roundTrip(bobTab2);
    expect(bobTab2.frames.filter((f) => f.type === 'dialog.updated')).toEqual([]);

    // Bob replies; Alice sees it live.
    const reply = await bob.post(`/dialogs/${id}/messages`, { text: 'Hi Alice', client_msg_id: 'b-1' });
    expect(reply.body.seq).toBe(2);
    expect((await aliceTab.next('message.new')).message.text).toBe('Hi Alice');

    // Carl, a third user of the same widget, got nothing and can read nothing.
    await roundTrip(carl);
    expect(carl.frames.filter((f) => f.type !== 'ready' && f.type !== 'pong')).toEqual([]);
    const stranger = await as(3);
    for (const res of [
      await stranger.get(`/dialogs/${id}`),
      await stranger.get(`/dialogs/${id}/messages`),
      await stranger.post(`/dialogs/${id}/messages`, { text: 'let me in' }),
      await stranger.post(`/dialogs/${id}/read`, { message_id: sent.body.id }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('dialog_not_found');
    }
    expect((await stranger.get('/dialogs')).body.items).toEqual([]);
  });

  it('isolates widgets: the same user_id in widget B sees nothing of widget A', async () => {
    const a = await as(1);
    const opened = await a.post('/dialogs', { user_id: 3 });
    await a.post(`/dialogs/${opened.body.id}/messages`, { text: 'widget A only' });
    const wb = env.widgets[1]!;
    const bSocket = await env.ws(wb, await wb.token(3));
    const b = await as(1, wb);
    expect((await b.get('/dialogs')).body.items).toEqual([]);
    expect((await b.get(`/dialogs/${opened.body.id}/messages`)).status).toBe(404);
    expect((await b.post(`/dialogs/${opened.body.id}/messages`, { text: 'x' })).status).toBe(404);
    // widget A's token is refused by widget B's endpoints
    const crossed = env.api(wb, await w().token(1));
    expect((await crossed.get('/me')).body.error.code).toBe('token_bad_signature');
    await a.post(`/dialogs/${opened.body.id}/messages`, { text: 'still only A' });
    await roundTrip(bSocket);
    expect(bSocket.frames.map((f) => f.type)).toEqual(['ready', 'pong']);
  });

  it('opens the same dialog for the same pair, from either side, with numeric or string ids', async () => {
    const alice = await as(1);
    const bob = await as('2');
    const first = await alice.post('/dialogs', { user_id: 'x-9' });
    const again = await alice.post('/dialogs', { user_id: 'x-9' });
    const back = await (await as('x-9')).post('/dialogs', { user_id: 1 });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(back.status).toBe(200);
    expect(new Set([first.body.id, again.body.id, back.body.id]).size).toBe(1);
    const ab = await alice.post('/dialogs', { user_id: 2 });
    const ba = await bob.post('/dialogs', { user_id: '1' });
    expect(ab.body.id).toBe(ba.body.id);
    const self = await alice.post('/dialogs', { user_id: '1' });
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe('cannot_message_self');
  });

  it('refuses to open a dialog while the host refuses our credentials, instead of treating it as an outage', async () => {
    const widget = env.widgets[1]!;
    const api = await as(1, widget);
    widget.host.mode = 'unauthorized';
    try {
      for (const body of [{ user_id: 558 }, { type: 'group', title: 'Nope', user_ids: [2, 559] }]) {
        const res = await api.post('/dialogs', body);
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('users_info_refused');
      }
    } finally {
      widget.host.mode = 'ok';
    }
  });

  it('shows an empty dialog only to whoever opened it', async () => {
    const opener = await as('x-9');
    const opened = await opener.post('/dialogs', { user_id: 3 });
    const carl = await as(3);
    const ids = (await carl.get('/dialogs?limit=50')).body.items.map((d: any) => d.id);
    expect(ids).not.toContain(opened.body.id);
    expect((await opener.get('/dialogs?limit=50')).body.items.map((d: any) => d.id)).toContain(opened.body.id);
  });
});

describe('sending', () => {
  it('returns the same message for a repeated client_msg_id, never a duplicate', async () => {
    const alice = await as(1);
    const bobTab = await env.ws(w(), await w().token(2));
    const { body: d } = await alice.post('/dialogs', { user_id: 2 });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => alice.post(`/dialogs/${d.id}/messages`, { text: 'once', client_msg_id: 'retry-me' })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(4);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const page = await alice.get(`/dialogs/${d.id}/messages?limit=100`);
    expect(page.body.items.filter((m: any) => m.client_msg_id === 'retry-me')).toHaveLength(1);
    await roundTrip(bobTab);
    expect(bobTab.frames.filter((f) => f.type === 'message.new' && f.message.client_msg_id === 'retry-me')).toHaveLength(1);
    // the same id in another dialog is a conflict, not a silent success
    const other = await alice.post('/dialogs', { user_id: 3 });
    const conflict = await alice.post(`/dialogs/${other.body.id}/messages`, { text: 'once', client_msg_id: 'retry-me' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('client_msg_id_conflict');
    // another user may use the same client_msg_id
    const bobSent = await (await as(2)).post(`/dialogs/${d.id}/messages`, { text: 'mine', client_msg_id: 'retry-me' });
    expect(bobSent.status).toBe(201);
  });

  it('assigns seq one by one under concurrent senders', async () => {
    const widget = env.widgets[1]!;
    const a = await as(1, widget);
    const b = await as(2, widget);
    const { body: d } = await a.post('/dialogs', { user_id: 2 });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).post(`/dialogs/${d.id}/messages`, { text: `m${i}`, client_msg_id: `c${i}` })),
    );
    const page = await a.get(`/dialogs/${d.id}/messages?limit=100`);
    expect(page.body.items.map((m: any) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });
});

describe('history and unread', () => {
  it('pages backwards with before and forwards with after, oldest first in each page', async () => {
    const widget = env.widgets[1]!;
    const a = await as('p1', widget);
    widget.host.users.set('p2', { user_id: 'p2', name: 'Pager' });
    const { body: d } = await a.post('/dialogs', { user_id: 'p2' });
    for (let i = 1; i <= 25; i++) await a.post(`/dialogs/${d.id}/messages`, { text: `n${i}` });
    const newest = await a.get(`/dialogs/${d.id}/messages?limit=10`);
    expect(newest.body.items.map((m: any) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i + 16}`));
    expect(newest.body.next_cursor).toBe('16');
    const older = await a.get(`/dialogs/${d.id}/messages?limit=10&before=${newest.body.next_cursor}`);
    expect(older.body.items.map((m: any) => m.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const oldest = await a.get(`/dialogs/${d.id}/messages?limit=10&before=${older.body.next_cursor}`);
    expect(oldest.body.items.map((m: any) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(oldest.body.next_cursor).toBeNull();
    const after = await a.get(`/dialogs/${d.id}/messages?after=20&limit=3`);
    expect(after.body.items.map((m: any) => m.seq)).toEqual([21, 22, 23]);
    expect(after.body.next_cursor).toBe('23');
    const tail = await a.get(`/dialogs/${d.id}/messages?after=23&limit=3`);
    expect(tail.body.items.map((m: any) => m.seq)).toEqual([24, 25]);
    expect(tail.body.next_cursor).toBeNull();
  });

  it('lists dialogs by latest activity with a cursor', async () => {
    const widget = env.widgets[1]!;
    for (const id of ['q1', 'q2', 'q3', 'q4']) widget.host.users.set(id, { user_id: id, name: id.toUpperCase() });
    const q = await as('q1', widget);
    const ids: number[] = [];
    for (const partner of ['q2', 'q3', 'q4']) {
      const { body } = await q.post('/dialogs', { user_id: partner });
      ids.push(body.id);
      await q.post(`/dialogs/${body.id}/messages`, { text: `to ${partner}` });
    }
    await q.post(`/dialogs/${ids[0]}/messages`, { text: 'bump q2' });
    const first = await q.get('/dialogs?limit=2');
    expect(first.body.items.map((d: any) => d.id)).toEqual([ids[0], ids[2]]);
    const second = await q.get(`/dialogs?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.items.map((d: any) => d.id)).toEqual([ids[1]]);
    expect(second.body.next_cursor).toBeNull();
  });

  it('counts unread per dialog, marks read monotonically and tells every member', async () => {
    const widget = env.widgets[1]!;
    widget.host.users.set('r1', { user_id: 'r1', name: 'R1' });
    widget.host.users.set('r2', { user_id: 'r2', name: 'R2' });
    const r1 = await as('r1', widget);
    const r2 = await as('r2', widget);
    const r1Tab = await env.ws(widget, await widget.token('r1'));
    const r2Tab = await env.ws(widget, await widget.token('r2'));
    const { body: d } = await r1.post('/dialogs', { user_id: 'r2' });
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push((await r1.post(`/dialogs/${d.id}/messages`, { text: `u${i}` })).body);
    expect((await r2.get(`/dialogs/${d.id}`)).body.unread_count).toBe(3);
    expect((await r1.get(`/dialogs/${d.id}`)).body.unread_count).toBe(0);

    const read = await r2.post(`/dialogs/${d.id}/read`, { message_id: sent[1].id });
    expect(read.body).toEqual({ dialog_id: d.id, user_id: 'r2', message_id: sent[1].id, seq: 2, unread_count: 1 });
    const event = await r1Tab.next('message.read');
    expect(event).toEqual({ event_id: expect.any(Number), type: 'message.read', dialog_id: d.id, user_id: 'r2', message_id: sent[1].id, seq: 2 });
    expect((await r2Tab.next('message.read')).seq).toBe(2);

    // reading an older message changes nothing
    const back = await r2.post(`/dialogs/${d.id}/read`, { message_id: sent[0].id });
    expect(back.body).toMatchObject({ seq: 2, message_id: sent[1].id, unread_count: 1 });
    expect((await r2.get(`/dialogs/${d.id}`)).body).toMatchObject({ unread_count: 1, last_read_seq: 2 });

    // replying marks everything read for the replier
    await r2.post(`/dialogs/${d.id}/messages`, { text: 'reply' });
    expect((await r2.get(`/dialogs/${d.id}`)).body.unread_count).toBe(0);
    expect((await r1.get(`/dialogs/${d.id}`)).body.unread_count).toBe(1);

    const missing = await r2.post(`/dialogs/${d.id}/read`, { message_id: 99_999_999 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('message_not_found');
  });
});

describe('durability', () => {
  it('keeps every message when the server restarts on the same data dir', async () => {
    const local = await createEnv();
    try {
      const lw = local.widgets[0]!;
      const a = local.api(lw, await lw.token(1));
      const { body: d } = await a.post('/dialogs', { user_id: 2 });
      for (let i = 0; i < 20; i++) await a.post(`/dialogs/${d.id}/messages`, { text: `keep ${i}`, client_msg_id: `k${i}` });
      await local.restart();
      const after = local.api(lw, await lw.token(1));
      const page = await after.get(`/dialogs/${d.id}/messages?limit=100`);
      expect(page.body.items.map((m: any) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `keep ${i}`));
      const replay = await after.post(`/dialogs/${d.id}/messages`, { text: 'keep 3', client_msg_id: 'k3' });
      expect(replay.status).toBe(200);
      expect((await after.post(`/dialogs/${d.id}/messages`, { text: 'next' })).body.seq).toBe(21);
      const bob = local.api(lw, await lw.token(2));
      expect((await bob.get('/dialogs')).body.items[0].unread_count).toBe(21);
    } finally {
      await local.close();
    }
  });
});
