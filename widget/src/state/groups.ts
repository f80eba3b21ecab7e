// Groups, from the conversations part: whether the viewer is still in a dialog, the calls a
// conversation makes about its dialog (mute, a fresh snapshot), and the groups chunk (groups.ts)
// with the rest of group management — "New chat", a group's info, "Read by", the page API's group
// calls (state/manage-groups.ts) — fetched the first time one of them is wanted.
import { signal } from '@preact/signals-core';
import type { Dialog } from '@imbachat/server/protocol';
import type { RestClient } from '../transport/rest.ts';
import type { DialogsModel } from './dialogs.ts';

/** The viewer is still in the dialog (not left or removed): they can write, read and manage. */
export const isMember = (d: Dialog | undefined): boolean => d !== undefined && d.membership !== 'left' && d.membership !== 'removed';

export type GroupsCode = typeof import('../groups.ts');

/** The groups chunk once it is in (the same code serves every chat of the page). */
export const groupsCode = signal<GroupsCode | null>(null);
/** The last try to fetch it failed (offline): the screens that need it say so, with a way to try again. */
export const groupsFailed = signal(false);
let loading: Promise<GroupsCode> | null = null;

/** The groups chunk, fetched once (again after a failed try). */
export function loadGroups(): Promise<GroupsCode> {
  groupsFailed.value = false;
  loading ??= import('../groups.ts').then(
    (code) => (groupsCode.value = code),
    (err: unknown) => {
      loading = null;
      groupsFailed.value = true;
      throw err;
    },
  );
  return loading;
}

/**
 * Calls about dialogs (docs/api.md, group management). Each answer that is a dialog is the dialog
 * as the server now sees it, merged into the list at once (dialog.updated brings the same to the
 * other tabs and members).
 */
export class Groups {
  readonly #rest: RestClient;
  readonly #dialogs: DialogsModel;

  constructor(rest: RestClient, dialogs: DialogsModel) {
    this.#rest = rest;
    this.#dialogs = dialogs;
  }

  /** A call whose answer is the dialog (the groups chunk makes the others: create, add, leave…). */
  async change(method: string, path: string, body?: unknown): Promise<Dialog> {
    const d = await this.#rest.call<Dialog>(method, path, body);
    this.#dialogs.upsert(d);
    return d;
  }
  /** A question that changes nothing (who read a message). */
  ask<T>(path: string): Promise<T> {
    return this.#rest.call<T>('GET', path);
  }

  mute(id: number, muted: boolean): Promise<Dialog> {
    return this.change('PUT', `/dialogs/${id}/mute`, { muted });
  }
  /** The dialog again (the member list's online dots are a snapshot: fresh when it opens). */
  refresh(id: number): Promise<Dialog> {
    return this.change('GET', `/dialogs/${id}`);
  }
}
