// The cluster: three server processes on three ports sharing one PostgreSQL database and one Redis
// (the test's own redis-server, so it can restart it), behind Debian's nginx when it is installed.
// Pins what several nodes promise together: chat, typing, presence and unread counts across nodes;
// a node SIGKILLed mid-conversation takes nothing acknowledged with it; a Redis restart loses
// nothing either, what the window missed coming back by resume. Needs PostgreSQL and redis-server
// (docs/deploy.md); the balancer config it runs is the one docs/deploy.md shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it, onTestFailed, onTestFinished } from 'vitest';
import { ChatUser } from './testing/cluster/chat-user.ts';
import { type Cluster, startCluster } from './testing/cluster/cluster.ts';
import { Conversation, deliveryProblems, storedProblems } from './testing/cluster/conversation.ts';
import { balancerConfig } from './testing/cluster/nginx.ts';
import { clusterSuite } from './testing/cluster/suite.ts';
import { waitForLine } from './testing/cluster/logs.ts';
import type { ServerProcess } from './testing/server-process.ts';

/** The nodes' heartbeat (realtime/ws.ts default): how long a publish lost with its node may take to arrive. */
const HEARTBEAT_MS = 25_000;
const USERS = ['a1', 'a2', 'a3', 'k1', 'k2', 'k3', 'k4', 'r1', 'r2', 'r3', 'r4'];

await clusterSuite('three nodes on PostgreSQL and Redis', () => {
  let cluster: Cluster;
  const users: ChatUser[] = [];
  const user = (id: string) => {
    const u = new ChatUser(id, cluster);
    users.push(u);
    return u;
  };

  beforeAll(async () => {
    cluster = await startCluster({ users: USERS });
    console.info(
      cluster.balancer
        ? `cluster: nginx at ${cluster.balancer.url} over ${cluster.nodes.map((n) => n.address).join(', ')}`
        : `cluster: no nginx (apt-get install -y nginx; or IMBACHAT_TEST_NGINX=none), clients connect to the nodes directly (${cluster.nodes.map((n) => n.address).join(', ')})`,
    );
  }, 40_000);
  beforeEach(() => onTestFailed(() => console.info(`what the nodes logged:\n${cluster.logs()}`)));
  afterAll(async () => {
    await Promise.all(users.map((u) => u.disconnect()));
    await cluster?.close();
  }, 20_000);

  /** Opens a dialog over REST and returns its id. */
  async function open(by: ChatUser, body: object): Promise<number> {
    const res = await by.api('POST', '/dialogs', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  }

  /** The user's unread count of each dialog as every running node answers it (asked of each node directly). */
  async function unreadByNode(u: ChatUser): Promise<Array<Record<number, number>>> {
    return Promise.all(
      cluster.nodes
        .filter((n) => n.process)
        .map(async (n) => {
          const res = await u.api('GET', '/dialogs?limit=50', undefined, n.url);
          expect(res.status).toBe(200);
          return Object.fromEntries((res.body.items as Array<{ id: number; unread_count: number }>).map((d) => [d.id, d.unread_count]));
        }),
    );
  }

  it('users on different nodes chat in 1:1 and group dialogs, see each other typing and online, and every node agrees on unread counts', async () => {
    const [a1, a2, a3] = [user('a1'), user('a2'), user('a3')];
    const direct = await open(a1, { user_id: 'a2' });
    const group = await open(a1, { type: 'group', title: 'Across nodes', user_ids: ['a2', 'a3'] });
    await a1.connectTo(0);
    const seenByA1 = a1.received.length;
    await a2.connectTo(1);
    await a3.connectTo(2);
    expect(new Set([a1.node, a2.node, a3.node]).size).toBe(3);

    // Presence: a2 came online on node 1; a1, on node 0, shares a direct dialog with them.
    await a1.waitFor('a2 online', (f) => f.type === 'presence' && f.user_id === 'a2' && f.online, seenByA1);
    const seenFromNode2 = await a2.api('GET', `/dialogs/${direct}`, undefined, cluster.nodes[2]!.url);
    expect(seenFromNode2.body.members_state.map((m: { user_id: string; online: boolean }) => [m.user_id, m.online]).sort()).toEqual([
      ['a1', true],
      ['a2', true],
    ]);

    // Typing crosses nodes: 1:1 to the partner, in the group to every other member.
    a1.send({ type: 'typing.start', dialog_id: direct });
    await a2.waitFor('a1 typing in the direct dialog', (f) => f.type === 'typing.start' && f.dialog_id === direct && f.user_id === 'a1');
    a3.send({ type: 'typing.start', dialog_id: group });
    for (const u of [a1, a2]) await u.waitFor('a3 typing in the group', (f) => f.type === 'typing.start' && f.dialog_id === group && f.user_id === 'a3');
    a3.send({ type: 'typing.stop', dialog_id: group });
    for (const u of [a1, a2]) await u.waitFor('a3 stopped typing', (f) => f.type === 'typing.stop' && f.dialog_id === group && f.user_id === 'a3');

    // Messages, each acknowledged by whichever node the balancer picked.
    const chat = new Conversation(cluster, 'across');
    await chat.send(a1, direct, 'hello from node 0');
    await chat.send(a1, direct, 'are you there?');
    await chat.send(a2, direct, 'yes, on node 1');
    await chat.send(a3, group, 'hi all');
    await chat.send(a3, group, 'from node 2');
    await chat.send(a1, group, 'hello group');
    const acks = [...chat.acks.values()];
    expect(
      await deliveryProblems(
        [
          { user: a1, dialogs: [direct, group] },
          { user: a2, dialogs: [direct, group] },
          { user: a3, dialogs: [group] },
        ],
        acks,
      ),
    ).toEqual([]);
    expect(chat.problems).toEqual([]);

    // Unread: what each client works out from its frames is what each node answers.
    const expected = { a1: { [direct]: 1, [group]: 0 }, a2: { [direct]: 0, [group]: 3 }, a3: { [group]: 1 } };
    for (const u of [a1, a2, a3]) expect(await unreadByNode(u)).toEqual(cluster.nodes.map(() => expected[u.id as keyof typeof expected]));
    // a2 reads the group on node 0; a1, who wrote the last message, sees it live on node 0; every node shows 0.
    const last = acks.at(-1)!;
    const read = await a2.api('POST', `/dialogs/${group}/read`, { message_id: last.id }, cluster.nodes[0]!.url);
    expect(read.body).toMatchObject({ seq: last.seq, unread_count: 0 });
    await a1.waitFor('a2 read the group', (f) => f.type === 'message.read' && f.dialog_id === group && f.user_id === 'a2' && f.seq === last.seq);
    for (const snapshot of await unreadByNode(a2)) expect(snapshot).toEqual({ [direct]: 0, [group]: 0 });

    // a2 leaves: after the grace period a1 sees them offline, and so does every node.
    const beforeLeave = a1.received.length;
    await a2.disconnect();
    await a1.waitFor('a2 offline', (f) => f.type === 'presence' && f.user_id === 'a2' && !f.online, beforeLeave);
    const after = await a1.api('GET', `/dialogs/${direct}`, undefined, cluster.nodes[2]!.url);
    expect(after.body.members_state.find((m: { user_id: string }) => m.user_id === 'a2')).toMatchObject({ online: false, last_seen_at: expect.any(String) });
  }, 40_000);

  /**
   * It found that live delivery across nodes lost messages: node B's publish of event N+1 can
   * reach Redis before node A's of N, and the session dropped N as already sent. Sessions and
   * clients now apply each event once, late or not (docs/protocol.md).
   */
  it('a node SIGKILLed mid-conversation: its clients resume on the other nodes and every acknowledged message reaches every member exactly once', async () => {
    const [k1, k2, k3, k4] = [user('k1'), user('k2'), user('k3'), user('k4')];
    const d13 = await open(k1, { user_id: 'k3' });
    const d24 = await open(k2, { user_id: 'k4' });
    const group = await open(k1, { type: 'group', title: 'Survivors', user_ids: ['k2', 'k3', 'k4'] });
    await k1.connectTo(0);
    await k2.connectTo(1);
    await k3.connectTo(2);
    await k4.connectTo(2);
    const doomed = cluster.nodes[2]!;
    // Whatever happens here, the next test finds three nodes.
    onTestFinished(async () => {
      if (!doomed.process) await cluster.restart(2);
    });
    const dialogsOf = { k1: [d13, group], k2: [d24, group], k3: [d13, group], k4: [d24, group] };

    const chat = new Conversation(cluster, 'kill');
    // k3 and k4 send to their own node when there is no balancer; through nginx every node gets sends.
    const loops = chat.run([
      { user: k1, dialogId: d13, nodes: [0, 1] },
      { user: k3, dialogId: d13, nodes: [2, 0, 1] },
      { user: k4, dialogId: d24, nodes: [2, 1, 0] },
      { user: k2, dialogId: group, nodes: [1, 0] },
      { user: k3, dialogId: group, nodes: [2, 1, 0] },
      { user: k4, dialogId: group, nodes: [2, 0, 1] },
    ]);
    try {
      await chat.acked(30);
      await cluster.kill(2);
      // Its sockets drop; each client reconnects with resume_from, through nginx to a live node.
      for (const u of [k3, k4]) {
        await u.until('the socket on the killed node drops', () => (u.connected ? undefined : true));
        const ready = await u.reconnect(0);
        expect(ready.resumed).toBe(true);
        expect(u.node).not.toBe(doomed.address);
      }
      await chat.acked(30);
    } finally {
      chat.stop();
      await loops;
    }
    expect(chat.problems).toEqual([]);
    const acks = [...chat.acks.values()];
    const members = [k1, k2, k3, k4].map((u) => ({ user: u, dialogs: dialogsOf[u.id as keyof typeof dialogsOf] }));
    // A message the killed node committed and acknowledged but never published reaches the other
    // nodes' sockets at their next heartbeat's log check (25 s): wait past one.
    expect(await deliveryProblems(members, acks, HEARTBEAT_MS + 10_000)).toEqual([]);
    for (const d of [d13, d24, group]) expect(await storedProblems(d === d24 ? k2 : k1, d, acks)).toEqual([]);
    // The users who moved never went offline for their partners.
    const offline = (u: ChatUser, partner: string) => u.received.filter(({ frame: f }) => f.type === 'presence' && f.user_id === partner && !f.online);
    expect([offline(k1, 'k3'), offline(k2, 'k4')]).toEqual([[], []]);
    console.info(`kill: ${acks.length} acknowledged, ${chat.failedTries.length} tries failed around the kill`);

    // The node comes back on its port and serves again; every node agrees on unread counts.
    await cluster.restart(2);
    await k3.disconnect();
    await k3.connectTo(2);
    for (const u of [k1, k2, k3, k4]) {
      const byNode = await unreadByNode(u);
      expect(byNode.length).toBe(3);
      for (const snapshot of byNode) expect(snapshot).toEqual(byNode[0]);
    }
  }, 90_000);

  it('Redis restarted mid-conversation: the nodes reconnect, delivery resumes, and what the window missed comes back by resume, exactly once', async () => {
    const [r1, r2, r3, r4] = [user('r1'), user('r2'), user('r3'), user('r4')];
    const direct = await open(r1, { user_id: 'r2' });
    const group = await open(r1, { type: 'group', title: 'Through the outage', user_ids: ['r2', 'r3', 'r4'] });
    await r1.connectTo(0);
    await r2.connectTo(1);
    await r3.connectTo(2);
    await r4.connectTo(0);
    const members = [
      { user: r1, dialogs: [direct, group] },
      { user: r2, dialogs: [direct, group] },
      { user: r3, dialogs: [group] },
      { user: r4, dialogs: [group] },
    ];
    // Straight to nodes 1 and 2: what they publish while node 0 is cut off is certainly missed there.
    const chat = new Conversation(cluster, 'redis', false);
    const talk = async (n: number, label: string) => {
      for (let i = 1; i <= n; i++) {
        await chat.send(r2, direct, `${label} ${i}`, [1, 2]);
        await chat.send(r3, group, `${label} ${i}`, [2, 1]);
      }
    };
    const [node0, node1, node2] = [0, 1, 2].map((i) => cluster.nodes[i]!.process!) as [ServerProcess, ServerProcess, ServerProcess];
    const subscriber = (msg: string) => ({ msg, connection: 'subscriber' });
    /** Both links of a node are back: commands (a publish queued meanwhile has gone out) and the subscriber. */
    const restored = (p: ServerProcess, what: string, from: number) =>
      Promise.all(['publisher', 'subscriber'].map((connection) => waitForLine(p, { msg: 'Redis connection restored', connection }, `${what}: ${connection}`, from)));
    let redisDown = false;
    try {
      await talk(2, 'before');
      expect(await deliveryProblems(members, [...chat.acks.values()])).toEqual([]);

      // Redis dies. Node 0 reaches it through a hop the test keeps blocked even after the restart.
      const marks = [node0, node1, node2].map((p) => p.lines.length);
      cluster.redisHop.block();
      await cluster.redis.kill();
      redisDown = true;
      await Promise.all(
        [node0, node1, node2].map((p, i) => waitForLine(p, subscriber('lost the Redis connection; reconnecting (clients resync when it is back)'), `node ${i} notices Redis is gone`, marks[i])),
      );
      await r4.disconnect(); // a tab closed during the outage: it comes back with resume_from
      // Sends during the outage are still committed and acknowledged (docs/deploy.md); nobody gets them live.
      await talk(2, 'during the outage');

      // Redis is back: nodes 1 and 2 reconnect, resubscribe and catch their sockets up from the log.
      const restarted = [node1, node2].map((p) => p.lines.length);
      await cluster.redis.start();
      redisDown = false;
      await Promise.all([node1, node2].map((p, i) => restored(p, `node ${i + 1} reconnects`, restarted[i]!)));
      await talk(2, 'after the restart');
      // Node 0 is still cut off: the window's frames missed r1 live (its heartbeat's log check may
      // bring them meanwhile, once each; the end checks that every one came exactly once).
      expect(await deliveryProblems(members.slice(1, 3), [...chat.acks.values()])).toEqual([]);

      // Node 0 gets its link back: it resubscribes and catches r1's open socket up.
      const reopened = node0.lines.length;
      cluster.redisHop.unblock();
      await restored(node0, 'node 0 reconnects', reopened);
      const ready = await r4.reconnect(0);
      expect(ready.resumed).toBe(true);
      await talk(1, 'all back');
    } finally {
      cluster.redisHop.unblock();
      if (redisDown) await cluster.redis.start();
    }
    const acks = [...chat.acks.values()];
    expect(chat.problems).toEqual([]);
    expect(await deliveryProblems(members, acks)).toEqual([]);
    for (const d of [direct, group]) expect(await storedProblems(r1, d, acks)).toEqual([]);
    // The open sockets lived through it: a Redis restart costs no reconnects.
    expect([r1, r2, r3].map((u) => [u.id, u.drops])).toEqual([
      ['r1', []],
      ['r2', []],
      ['r3', []],
    ]);
    // Ephemeral frames flow again across nodes.
    const mark = r1.received.length;
    r2.send({ type: 'typing.start', dialog_id: direct });
    await r1.waitFor('r2 typing after the restart', (f) => f.type === 'typing.start' && f.user_id === 'r2', mark);
  }, 50_000);
});

it('docs/deploy.md shows the balancer configuration the cluster test runs', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'deploy.md'), 'utf8');
  const shown = balancerConfig({ listen: '80', serverName: 'chat.example.com', nodes: ['imbachat-1:8080', 'imbachat-2:8080', 'imbachat-3:8080'] });
  expect(doc).toContain(`\`\`\`nginx\n${shown}\`\`\``);
});
