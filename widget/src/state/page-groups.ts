// The page API's group calls, once the conversations part is in: imbaApi.openGroup opens a group
// by its dialog id (fetching it when the list does not have it), createGroup makes one, and
// addToRoom (the ImbaChat plugins' name) makes one and opens it. What the page passed is checked
// first (group-api.ts); a refusal rejects the page's promise with its reason.
import { batch } from '@preact/signals-core';
import type { Dialog } from '@imbachat/server/protocol';
import type { PageCall } from '../contract.ts';
import { checkDialogId, checkGroup } from '../group-api.ts';
import { ApiError } from '../transport/rest.ts';
import type { ChatCore } from './full.ts';
import type { Groups } from './groups.ts';

export interface PageGroupsHost {
  core: ChatCore;
  groups: Groups;
  /** Opens a dialog the list has. */
  show(id: number): void;
}

export function pageCall(h: PageGroupsHost, call: PageCall, arg: unknown): Promise<unknown> {
  return call === 'openGroup' ? openGroup(h, arg) : createGroup(h, arg, call === 'addToRoom');
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

async function createGroup(h: PageGroupsHost, raw: unknown, room: boolean): Promise<Dialog> {
  const g = await checkGroup(raw, room);
  const d = await h.groups.create(g.title, g.user_ids);
  if (room) h.show(d.id);
  return d;
}
