// What people do with groups (docs/api.md, group management): create one, add and remove
// members, leave, rename, change roles, mute a dialog, and ask who read a message. Each answer
// is the dialog as the server now sees it, merged into the list at once (dialog.updated brings
// the same to the other tabs and members). Who may do what is the server's rule; `may` mirrors
// it so the panel offers only what will be allowed.
import type { Dialog, MemberRole, User } from '@imbachat/server/protocol';
import type { RestClient } from '../transport/rest.ts';
import type { DialogsModel } from './dialogs.ts';

/** The viewer is still in the dialog (not left or removed): they can write, read and manage. */
export const isMember = (d: Dialog | undefined): boolean => d !== undefined && d.membership !== 'left' && d.membership !== 'removed';

export interface ReadBy {
  /** The other current members whose read position reached the message, most recent first. */
  items: { user_id: string; read_at: string }[];
  count: number;
}

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

export class Groups {
  readonly #rest: RestClient;
  readonly #dialogs: DialogsModel;

  constructor(rest: RestClient, dialogs: DialogsModel) {
    this.#rest = rest;
    this.#dialogs = dialogs;
  }

  create(title: string, userIds: string[]): Promise<Dialog> {
    return this.#apply('POST', '/dialogs', { type: 'group', title, user_ids: userIds });
  }
  add(id: number, userIds: string[]): Promise<Dialog> {
    return this.#apply('POST', `/dialogs/${id}/members`, { user_ids: userIds });
  }
  remove(id: number, userId: string): Promise<Dialog> {
    return this.#apply('DELETE', `/dialogs/${id}/members/${encodeURIComponent(userId)}`);
  }
  leave(id: number): Promise<Dialog> {
    return this.#apply('POST', `/dialogs/${id}/leave`);
  }
  rename(id: number, title: string): Promise<Dialog> {
    return this.#apply('PATCH', `/dialogs/${id}`, { title });
  }
  setRole(id: number, userId: string, role: 'admin' | 'member'): Promise<Dialog> {
    return this.#apply('PUT', `/dialogs/${id}/members/${encodeURIComponent(userId)}/role`, { role });
  }
  mute(id: number, muted: boolean): Promise<Dialog> {
    return this.#apply('PUT', `/dialogs/${id}/mute`, { muted });
  }
  /** The dialog again (the member list's online dots are a snapshot: fresh when it opens). */
  refresh(id: number): Promise<Dialog> {
    return this.#apply('GET', `/dialogs/${id}`);
  }
  readBy(id: number, messageId: number): Promise<ReadBy> {
    return this.#rest.call('GET', `/dialogs/${id}/messages/${messageId}/read-by`);
  }

  async #apply(method: string, path: string, body?: unknown): Promise<Dialog> {
    const d = await this.#rest.call<Dialog>(method, path, body);
    this.#dialogs.upsert(d);
    return d;
  }
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
