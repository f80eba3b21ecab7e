// Running a group: adding, removing, leaving, renaming, the picture, the history option and roles
// (planned by rules.ts on the caller's view, applied by the store only if nothing changed in
// between, else planned again), and muting a dialog.
import { publishEvent } from '../bus/publish.ts';
import type { EventBus } from '../bus/types.ts';
import { serialise } from '../realtime/frames.ts';
import type { Dialog, SystemEvent } from '../realtime/protocol.ts';
import type { GroupPlan, Store } from '../store/types.ts';
import { type DraftPlan, type GroupChange, dialogNotFound, planChange } from './rules.ts';
import { type Caller, type DialogService, maxGroupMembers, nameIn } from './service.ts';
import { systemText } from './system-text.ts';

/**
 * Plans made on a view that another change overtook are made again on the new view; this many
 * times at most (each retry means another change of the same group committed meanwhile).
 */
const MAX_ATTEMPTS = 8;

export type GroupRequest =
  | { kind: 'add'; userIds: string[] }
  | Exclude<GroupChange, { kind: 'add' }>;

export class GroupService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly dialogs: DialogService,
    private readonly now: () => number,
  ) {}

  /** Applies the change as the caller may; answers the dialog as they see it afterwards. */
  async change(caller: Caller, dialogId: number, request: GroupRequest): Promise<Dialog> {
    const { widget, userId } = caller;
    const change: GroupChange = request.kind === 'add' ? { ...request, maxMembers: maxGroupMembers(widget) } : request;
    for (let attempt = 1; ; attempt++) {
      const view = await this.store.getDialogForMember(widget.id, dialogId, userId);
      if (!view) throw dialogNotFound();
      const draft = planChange(view, userId, change);
      if (!draft) return (await this.dialogs.toWire(widget, [view]))[0]!;
      // Only now, when the caller may add them: who is added must be known to the host.
      if (draft.add?.length) await this.dialogs.requireKnown(widget, draft.add);
      const mentioned = [...draft.messages, ...draft.followUps].flatMap((s) => [...s.user_ids, ...(s.actor_id ? [s.actor_id] : [])]);
      const looked = await this.dialogs.lookUp(widget, [...view.members.map((m) => m.userId), ...(draft.add ?? []), ...mentioned]);
      const result = await this.store.applyGroupChange(widget.id, dialogId, view.version, withTexts(draft, nameIn(looked.users)), this.now());
      if (result.kind === 'conflict') {
        if (attempt < MAX_ATTEMPTS) continue;
        throw new Error(`group ${dialogId} kept changing while a change was planned (${MAX_ATTEMPTS} attempts)`);
      }
      const dialog = await this.dialogs.publishChange(widget, dialogId, userId, result, looked);
      return dialog ?? (await this.dialogs.get(caller, dialogId));
    }
  }

  /** Mutes or unmutes the dialog for the caller (direct dialogs too); only the caller's sockets hear of it. */
  async setMuted(caller: Caller, dialogId: number, muted: boolean): Promise<Dialog> {
    const { widget, userId } = caller;
    const result = await this.store.setMuted(widget.id, dialogId, userId, muted, this.now());
    if (!result) throw dialogNotFound();
    const dialog = await this.dialogs.get(caller, dialogId);
    const { event } = result;
    if (event) await publishEvent(this.bus, widget.id, event, [userId], { frame: serialise({ event_id: event.eventId, type: 'dialog.updated', dialog }), eventId: event.eventId });
    return dialog;
  }
}

function withTexts(draft: DraftPlan, nameOf: (id: string) => string): GroupPlan {
  const texted = (s: DraftPlan['messages'][number]) => ({ text: systemText(s, nameOf), system: { ...s, names: namesIn(s, nameOf) } });
  return { ...draft, messages: draft.messages.map(texted), followUps: draft.followUps.map(texted) };
}

/** The names a system message mentions, as looked up now (SystemEvent.names). */
function namesIn(s: SystemEvent, nameOf: (id: string) => string): Record<string, string> {
  const ids = s.actor_id === null ? s.user_ids : [s.actor_id, ...s.user_ids];
  return Object.fromEntries(ids.map((id) => [id, nameOf(id)]));
}
