// Who may run a group: the owner and admins add, rename and set the picture; admins remove
// members; only the owner removes admins, sets the history option, promotes, demotes and hands
// over; anyone leaves, and an owner who leaves hands over. Refusals name the role needed and
// change nothing. Time is a ManualClock, so "longest-standing" is set, not raced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/clock.ts';
import { type Env, createEnv } from '../testing/harness.ts';
import { type GroupKit, expectError, groupKit, rolesOf } from './test-support.ts';

let env: Env;
let kit: GroupKit;
const clock = new ManualClock();
beforeAll(async () => {
  // Names in system messages come from the host: give it time on a busy machine (not what is tested here).
  env = await createEnv({ clock, usersInfoTimeoutMs: 5_000 });
  kit = groupKit(env);
});
afterAll(() => env.close());

/** owner, admin, two members, and two people outside it. */
async function team() {
  const [owner, admin, m1, m2, x1, x2] = kit.people(6);
  const g = await kit.group(owner!, [admin!, m1!, m2!], { admins: [admin!] });
  return { g, owner: owner!, admin: admin!, m1: m1!, m2: m2!, x1: x1!, x2: x2! };
}

/** What the group is now, as `viewer` sees it. */
const now = async (viewer: string, id: number) => (await (await kit.as(viewer)).get(`/dialogs/${id}`)).body;

describe('adding members', () => {
  it('the owner and admins add; a member may not, and nothing changes', async () => {
    const { g, owner, admin, m1, x1, x2 } = await team();
    expectError(await (await kit.as(m1)).post(`/dialogs/${g.id}/members`, { user_ids: [x1] }), 403, 'not_allowed', /^Only the owner and admins can add members\.$/);
    expect((await now(owner, g.id)).member_count).toBe(4);
    const byAdmin = await (await kit.as(admin)).post(`/dialogs/${g.id}/members`, { user_ids: [x1] });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ id: g.id, member_count: 5, membership: 'member' });
    expect(rolesOf(byAdmin.body)[x1]).toBe('member');
    const byOwner = await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [x2] });
    expect(byOwner.body.member_count).toBe(6);
  });

  it('ignores members already in (and repeats); adding only those changes nothing', async () => {
    const { g, owner, m1, m2, x1 } = await team();
    const before = await now(owner, g.id);
    const same = await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [m1, m2, owner] });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(before);
    const mixed = await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [m1, x1, x1] });
    expect(mixed.body.member_count).toBe(5);
    expect(mixed.body.last_message.system).toEqual({ action: 'added', actor_id: owner, user_ids: [x1], title: null, names: { [owner]: `Name ${owner}`, [x1]: `Name ${x1}` } });
  });

  it('answers 404 user_not_found for users the host does not know, and adds nobody', async () => {
    const { g, owner, x1 } = await team();
    expectError(await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [x1, 'nobody-1'] }), 404, 'user_not_found', /"nobody-1"/);
    expect((await now(owner, g.id)).member_count).toBe(4);
  });

  it('refuses malformed bodies', async () => {
    const { g, owner } = await team();
    const api = await kit.as(owner);
    for (const [body, message] of [
      [{}, /user_ids/],
      [{ user_ids: [] }, /at least one/],
      [{ user_ids: [' 1 '] }, /user_ids\.0/],
      [{ user_ids: Array.from({ length: 501 }, (_, i) => `u${i}`) }, /at most 500/],
    ] as const) {
      expectError(await api.post(`/dialogs/${g.id}/members`, body), 400, 'validation_failed', message);
    }
  });
});

describe('removing members', () => {
  it('an admin removes members, not admins or the owner; a member removes nobody', async () => {
    const { g, owner, admin, m1, m2 } = await team();
    expectError(await (await kit.as(m1)).delete(`/dialogs/${g.id}/members/${m2}`), 403, 'not_allowed', /^Only the owner and admins can remove members\.$/);
    const [otherAdmin] = kit.people(1);
    await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [otherAdmin] });
    await (await kit.as(owner)).put(`/dialogs/${g.id}/members/${otherAdmin}/role`, { role: 'admin' });
    expectError(await (await kit.as(admin)).delete(`/dialogs/${g.id}/members/${otherAdmin}`), 403, 'not_allowed', /^Only the owner can remove admins\.$/);
    expectError(await (await kit.as(admin)).delete(`/dialogs/${g.id}/members/${owner}`), 403, 'not_allowed', /Nobody can remove the owner/);
    const removed = await (await kit.as(admin)).delete(`/dialogs/${g.id}/members/${m2}`);
    expect(removed.status).toBe(200);
    expect(removed.body.members.map((m: any) => m.user_id)).not.toContain(m2);
    expect(removed.body.member_count).toBe(4);
  });

  it('the owner removes anyone but themself, admins included', async () => {
    const { g, owner, admin } = await team();
    const removed = await (await kit.as(owner)).delete(`/dialogs/${g.id}/members/${admin}`);
    expect(removed.status).toBe(200);
    expect(Object.keys(rolesOf(removed.body))).not.toContain(admin);
  });

  it('removing yourself is leaving', async () => {
    const { g, owner, m1 } = await team();
    const self = await (await kit.as(m1)).delete(`/dialogs/${g.id}/members/${m1}`);
    expect(self.status).toBe(200);
    expect(self.body.membership).toBe('left');
    expect(self.body.last_message.system).toEqual({ action: 'left', actor_id: m1, user_ids: [], title: null, names: { [m1]: `Name ${m1}` } });
    expect((await now(owner, g.id)).member_count).toBe(3);
  });

  it('answers 404 user_not_found for someone who is not a member, and 400 for an id that breaks the rule', async () => {
    const { g, owner, x1 } = await team();
    expectError(await (await kit.as(owner)).delete(`/dialogs/${g.id}/members/${x1}`), 404, 'user_not_found', new RegExp(`"${x1}" is not a member of this group`));
    expectError(await (await kit.as(owner)).delete(`/dialogs/${g.id}/members/%20${x1}`), 400, 'validation_failed', /user_id must be/);
  });
});

describe('leaving', () => {
  it('anyone leaves, and sees the dialog as it stood then: membership left', async () => {
    const { g, owner, m1 } = await team();
    const left = await (await kit.as(m1)).post(`/dialogs/${g.id}/leave`, {});
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ id: g.id, membership: 'left', member_count: 3 });
    expect(left.body.last_message).toMatchObject({ kind: 'system', system: { action: 'left', actor_id: m1 } });
    expect(rolesOf(await now(owner, g.id))[m1]).toBeUndefined();
    // Gone is gone: leaving again is a dialog they are not in.
    expectError(await (await kit.as(m1)).post(`/dialogs/${g.id}/leave`, {}), 404, 'dialog_not_found');
  });

  it('an owner who leaves hands over to the longest-standing admin, else the longest-standing member', async () => {
    const [owner, early, late, m, n] = kit.people(5) as [string, string, string, string, string];
    const g = await kit.group(owner, [m, early]);
    clock.advance(1000);
    await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [late] });
    // `late` was made admin first, `early` joined first: joining counts, not promotion.
    await (await kit.as(owner)).put(`/dialogs/${g.id}/members/${late}/role`, { role: 'admin' });
    await (await kit.as(owner)).put(`/dialogs/${g.id}/members/${early}/role`, { role: 'admin' });
    const left = await (await kit.as(owner)).post(`/dialogs/${g.id}/leave`, {});
    expect(left.body.membership).toBe('left');
    const after = await now(m, g.id);
    expect(rolesOf(after)).toEqual({ [early]: 'owner', [late]: 'admin', [m]: 'member' });
    // The hand-over is a message of its own, after the leaving, made by nobody.
    const { body: page } = await (await kit.as(m)).get(`/dialogs/${g.id}/messages`);
    expect(page.items.slice(-2).map((x: any) => x.system)).toEqual([
      { action: 'left', actor_id: owner, user_ids: [], title: null, names: { [owner]: `Name ${owner}` } },
      { action: 'owner', actor_id: null, user_ids: [early], title: null, names: { [early]: `Name ${early}` } },
    ]);
    expect(page.items.at(-1).text).toBe(`Name ${early} is now the owner`);
    // Without admins: the longest-standing member, ties by user id.
    const g2 = await kit.group(early, [m, n]);
    await (await kit.as(early)).post(`/dialogs/${g2.id}/leave`, {});
    expect(rolesOf(await now(m, g2.id))).toEqual({ [m < n ? m : n]: 'owner', [m < n ? n : m]: 'member' });
  });

  it('the last member leaving leaves an empty group, which nobody sees change', async () => {
    const [a, b] = kit.people(2) as [string, string];
    const g = await kit.group(a, [b]);
    await (await kit.as(b)).post(`/dialogs/${g.id}/leave`, {});
    const last = await (await kit.as(a)).post(`/dialogs/${g.id}/leave`, {});
    expect(last.body).toMatchObject({ membership: 'left', member_count: 0, members: [] });
    expect((await now(b, g.id)).membership).toBe('left');
  });
});

describe('title, picture and history', () => {
  it('the owner and admins rename and set the picture; a member may not; only the owner sets the history', async () => {
    const { g, owner, admin, m1 } = await team();
    expectError(await (await kit.as(m1)).patch(`/dialogs/${g.id}`, { title: 'Mine' }), 403, 'not_allowed', /^Only the owner and admins can rename the group or change its picture\.$/);
    expectError(await (await kit.as(admin)).patch(`/dialogs/${g.id}`, { history: 'all' }), 403, 'not_allowed', /^Only the owner can change who sees the history\.$/);
    // Refused whole: the title that came with the history is not applied either.
    expectError(await (await kit.as(admin)).patch(`/dialogs/${g.id}`, { title: 'Both', history: 'all' }), 403, 'not_allowed');
    expect((await now(owner, g.id)).title).toBe('Team');
    const renamed = await (await kit.as(admin)).patch(`/dialogs/${g.id}`, { title: '  Night owls  ', avatar_url: 'https://img.example/owl.png' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ title: 'Night owls', avatar_url: 'https://img.example/owl.png', history: 'from_join' });
    const history = await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { history: 'all' });
    expect(history.body.history).toBe('all');
    const cleared = await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { avatar_url: null });
    expect(cleared.body.avatar_url).toBeNull();
  });

  it('a change to what it already is writes nothing', async () => {
    const { g, owner } = await team();
    const before = await now(owner, g.id);
    const same = await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { title: 'Team', history: 'from_join', avatar_url: null });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(before);
  });

  it('refuses a bad title, picture or history, and an empty change', async () => {
    const { g, owner } = await team();
    const api = await kit.as(owner);
    for (const [body, message] of [
      [{ title: '   ' }, /title must not be empty/],
      [{ title: 'x'.repeat(201) }, /at most 200/],
      [{ title: 'a\u0000b' }, /NUL/],
      [{ avatar_url: 'javascript:alert(1)' }, /http\(s\) URL/],
      [{ avatar_url: 'ftp://img.example/a.png' }, /http\(s\) URL/],
      [{ avatar_url: 'https://img.example/a b.png' }, /white space/],
      [{ avatar_url: `https://img.example/${'a'.repeat(2000)}` }, /at most 2000/],
      [{ avatar_url: 7 }, /avatar_url/],
      [{ history: 'everything' }, /history must be "from_join" or "all"/],
      [{}, /at least one of title, avatar_url, history/],
    ] as const) {
      expectError(await api.patch(`/dialogs/${g.id}`, body), 400, 'validation_failed', message);
    }
    expect((await now(owner, g.id)).title).toBe('Team');
  });
});

describe('roles', () => {
  it('only the owner promotes and demotes', async () => {
    const { g, owner, admin, m1, m2 } = await team();
    expectError(await (await kit.as(admin)).put(`/dialogs/${g.id}/members/${m1}/role`, { role: 'admin' }), 403, 'not_allowed', /^Only the owner can promote and demote admins\.$/);
    expectError(await (await kit.as(m1)).put(`/dialogs/${g.id}/members/${m2}/role`, { role: 'admin' }), 403, 'not_allowed');
    const promoted = await (await kit.as(owner)).put(`/dialogs/${g.id}/members/${m1}/role`, { role: 'admin' });
    expect(rolesOf(promoted.body)[m1]).toBe('admin');
    expect(promoted.body.last_message.system).toEqual({ action: 'promoted', actor_id: owner, user_ids: [m1], title: null, names: { [owner]: `Name ${owner}`, [m1]: `Name ${m1}` } });
    const demoted = await (await kit.as(owner)).put(`/dialogs/${g.id}/members/${admin}/role`, { role: 'member' });
    expect(rolesOf(demoted.body)[admin]).toBe('member');
    expect(demoted.body.last_message.system.action).toBe('demoted');
    // The demoted admin's rights went with the role.
    expectError(await (await kit.as(admin)).post(`/dialogs/${g.id}/members`, { user_ids: kit.people(1) }), 403, 'not_allowed');
  });

  it('the owner hands over ownership and becomes an admin', async () => {
    const { g, owner, m1 } = await team();
    expectError(await (await kit.as(m1)).put(`/dialogs/${g.id}/members/${m1}/role`, { role: 'owner' }), 403, 'not_allowed', /^Only the owner can hand over ownership\.$/);
    const handed = await (await kit.as(owner)).put(`/dialogs/${g.id}/members/${m1}/role`, { role: 'owner' });
    expect(handed.status).toBe(200);
    expect(rolesOf(handed.body)).toMatchObject({ [m1]: 'owner', [owner]: 'admin' });
    expect(Object.values(rolesOf(handed.body)).filter((r) => r === 'owner')).toHaveLength(1);
    expect(handed.body.last_message).toMatchObject({ text: `Name ${owner} made Name ${m1} the owner`, system: { action: 'owner', actor_id: owner, user_ids: [m1] } });
    // The new owner runs it now; the old one is an admin.
    expectError(await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { history: 'all' }), 403, 'not_allowed');
    expect((await (await kit.as(m1)).patch(`/dialogs/${g.id}`, { history: 'all' })).status).toBe(200);
  });

  it('refuses the owner’s own role, a target who is not a member, and an unknown role', async () => {
    const { g, owner, admin, x1 } = await team();
    const api = await kit.as(owner);
    expectError(await api.put(`/dialogs/${g.id}/members/${owner}/role`, { role: 'member' }), 403, 'not_allowed', /handing ownership to another member/);
    expectError(await api.put(`/dialogs/${g.id}/members/${x1}/role`, { role: 'admin' }), 404, 'user_not_found');
    expectError(await api.put(`/dialogs/${g.id}/members/${admin}/role`, { role: 'moderator' }), 400, 'validation_failed', /role must be/);
    // Promoting an admin changes nothing, and writes nothing.
    const before = await now(owner, g.id);
    const same = await api.put(`/dialogs/${g.id}/members/${admin}/role`, { role: 'admin' });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(before);
  });
});

describe('limits and dialog kinds', () => {
  it('a group takes at most its widget’s max_group_members: 400 group_too_large, nothing added', async () => {
    const widget = kit.widget();
    await env.server.store.updateWidget(widget.devId, { maxGroupMembers: 4 }, clock.now());
    env.server.widgets.invalidate(widget.devId);
    try {
      const [a, b, c, d, e, f] = kit.people(6) as [string, string, string, string, string, string];
      expectError(await (await kit.as(a)).post('/dialogs', { type: 'group', title: 'Five', user_ids: [b, c, d, e] }), 400, 'group_too_large', /at most 4 members/);
      const g = await kit.group(a, [b, c]);
      expectError(await (await kit.as(a)).post(`/dialogs/${g.id}/members`, { user_ids: [d, e] }), 400, 'group_too_large', /has 3, so at most 1 more/);
      expect((await now(a, g.id)).member_count).toBe(3);
      expect((await (await kit.as(a)).post(`/dialogs/${g.id}/members`, { user_ids: [d] })).body.member_count).toBe(4);
      expectError(await (await kit.as(a)).post(`/dialogs/${g.id}/members`, { user_ids: [f] }), 400, 'group_too_large', /nobody more/);
    } finally {
      await env.server.store.updateWidget(widget.devId, { maxGroupMembers: null }, clock.now());
      env.server.widgets.invalidate(widget.devId);
    }
  });

  it('a direct dialog answers every membership endpoint with 400 not_a_group', async () => {
    const [a, b, c] = kit.people(3);
    const { body: d } = await (await kit.as(a!)).post('/dialogs', { user_id: b });
    const api = await kit.as(a!);
    for (const res of [
      await api.post(`/dialogs/${d.id}/members`, { user_ids: [c] }),
      await api.delete(`/dialogs/${d.id}/members/${b}`),
      await api.post(`/dialogs/${d.id}/leave`, {}),
      await api.patch(`/dialogs/${d.id}`, { title: 'Us' }),
      await api.put(`/dialogs/${d.id}/members/${b}/role`, { role: 'admin' }),
    ]) {
      expectError(res, 400, 'not_a_group', /direct dialog/);
    }
    expect((await now(a!, d.id)).member_count).toBe(2);
  });
});
