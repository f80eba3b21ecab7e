// Group management, in the groups chunk (groups.ts): what people do with groups (docs/api.md,
// group management) — create one, add and remove members, leave, rename, change roles, and ask
// who read a message —, who may do what, the people one can pick, and the page API's group calls.
// Who may do what is the server's rule; `may` mirrors it so the panel offers only what will be
// allowed. The calls go through the conversation's Groups (state/groups.ts), which merges each
// answer into the list at once.
import { batch } from '@preact/signals-core';
import type { Dialog, MemberRole, User } from '@imbachat/server/protocol';
import type { PageCall } from '../contract.ts';
import { checkDialogId, checkGroup } from '../group-api.ts';
import { ApiError } from '../transport/rest.ts';
import type { ChatCore } from './full.ts';
import { isMember, type Groups } from './groups.ts';

export interface ReadBy {
  /** The other current members whose read position reached the message, most recent first. */
  items: { user_id: string; read_at: string }[];
  count: number;
}

export const createGroup = (g: Groups, title: string, userIds: string[]): Promise<Dialog> => g.change('POST', '/dialogs', { type: 'group', title, user_ids: userIds });
export const addMembers = (g: Groups, id: number, userIds: string[]): Promise<Dialog> => g.change('POST', `/dialogs/${id}/members`, { user_ids: userIds });
export const removeMember = (g: Groups, id: number, userId: string): Promise<Dialog> => g.change('DELETE', `/dialogs/${id}/members/${encodeURIComponent(userId)}`);
export const leaveGroup = (g: Groups, id: number): Promise<Dialog> => g.change('POST', `/dialogs/${id}/leave`);
export const renameGroup = (g: Groups, id: number, title: string): Promise<Dialog> => g.change('PATCH', `/dialogs/${id}`, { title });
export const setRole = (g: Groups, id: number, userId: string, role: 'admin' | 'member'): Promise<Dialog> =>
  g.change('PUT', `/dialogs/${id}/members/${encodeURIComponent(userId)}/role`, { role });
export const readBy = (g: Groups, id: number, messageId: number): Promise<ReadBy> => g.ask(`/dialogs/${id}/messages/${messageId}/read-by`);

export type GroupAction = 'add' | 'rename' | 'remove' | 'role' | 'leave';

export function roleOf(d: Dialog, userId: string): MemberRole | null {
  return d.members_state.find((s) => s.user_id === userId)?.role ?? null;
}

/**
 * The contract's rules: owner and admins add, rename and remove plain members; only the owner
 * removes admins and changes roles; anyone leaves. Removing oneself is leaving, not this.
 */
export function may(d: Dialog | undefined, me: string, action: GroupAction, target?: string): boolean {
  if (!d || d.type !== 'group' || !isMember(d)) return false;
  const mine = roleOf(d, me);
  if (action === 'leave') return true;
  if (action === 'add' || action === 'rename') return mine === 'owner' || mine === 'admin';
  if (target === undefined || target === me) return false;
  const theirs = roleOf(d, target);
  if (action === 'role') return mine === 'owner' && theirs !== 'owner';
  return mine === 'owner' || (mine === 'admin' && theirs === 'member');
}

/**
 * The people the user can pick for a new chat or a group: everyone they already have a dialog
 * with (direct partners and the members of their groups), by name.
 */
export function contacts(dialogs: readonly Dialog[], me: string): User[] {
  const seen = new Map<string, User>();
  for (const d of dialogs) for (const u of d.members) if (u.user_id !== me && !seen.has(u.user_id)) seen.set(u.user_id, u);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// ---- the page API: imbaApi.openGroup opens a group by its dialog id (fetching it when the list
// does not have it), createGroup makes one, and addToRoom (the ImbaChat plugins' name) makes one
// and opens it. What the page passed is checked first (group-api.ts); a refusal rejects the
// page's promise with its reason.

export interface PageGroupsHost {
  core: ChatCore;
  groups: Groups;
  /** Opens a dialog the list has. */
  show(id: number): void;
}

export function pageCall(h: PageGroupsHost, call: PageCall, arg: unknown): Promise<unknown> {
  return call === 'openGroup' ? openGroup(h, arg) : pageCreate(h, arg, call === 'addToRoom');
}

/** One that cannot be opened says so above the list, and the promise rejects with the reason. */
async function openGroup(h: PageGroupsHost, raw: unknown): Promise<void> {
  const id = await checkDialogId(raw);
  const { view, dialogs, rest } = h.core;
  if (!dialogs.byId(id)) {
    batch(() => {
      view.view.value = { kind: 'opening' };
      view.open.value = true;
    });
    try {
      dialogs.upsert(await rest.dialog(id));
    } catch (err) {
      if (!h.core.disposed()) {
        const code = err instanceof ApiError ? err.code : 'network';
        batch(() => {
          view.notice.value = code === 'dialog_not_found' ? 'chatNotFound' : code === 'network' ? 'networkError' : 'genericError';
          view.view.value = { kind: 'list' };
        });
      }
      throw err;
    }
  }
  h.show(id);
}

async function pageCreate(h: PageGroupsHost, raw: unknown, room: boolean): Promise<Dialog> {
  const g = await checkGroup(raw, room);
  const d = await createGroup(h.groups, g.title, g.user_ids);
  if (room) h.show(d.id);
  return d;
}
