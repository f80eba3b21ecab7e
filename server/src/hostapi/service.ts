// What the host (the site's backend) may do to its widget's dialogs. The host acts as the system:
// it has the owner's powers over every group, but its changes are nobody's (system messages with
// actor_id null), and they reach the members live exactly as a member's change does, through the
// dialog service.
import { fileLinks } from '../files/links.ts';
import { AppError } from '../errors.ts';
import { type GroupChange, dialogNotFound, notAGroup, planChange } from '../dialogs/rules.ts';
import { type DialogService, maxGroupMembers, nameIn } from '../dialogs/service.ts';
import { systemText } from '../dialogs/system-text.ts';
import { toWireMessage } from '../dialogs/wire.ts';
import type { MessageService } from '../messages/service.ts';
import type { Dialog, GroupHistory, Message, SystemEvent, User } from '../realtime/protocol.ts';
import type { DialogView, GroupPlan, Store, WidgetRow } from '../store/types.ts';

/** As in GroupService: a plan overtaken by another change is made again, this many times at most. */
const MAX_ATTEMPTS = 8;

export type HostChange =
  | { kind: 'add'; userIds: string[] }
  | { kind: 'remove'; userId: string }
  | { kind: 'edit'; title?: string | undefined; avatarUrl?: string | null | undefined; history?: GroupHistory | undefined };

export interface NewHostGroup {
  title: string;
  ownerId: string;
  userIds: string[];
  avatarUrl?: string | null | undefined;
  history?: GroupHistory | undefined;
}

export type HostMember = User & { role: 'owner' | 'admin' | 'member'; joined_at: string };

const bySystem = (s: SystemEvent): SystemEvent => ({ ...s, actor_id: null });

export class HostService {
  constructor(
    private readonly store: Store,
    private readonly dialogs: DialogService,
    private readonly messages: MessageService,
    private readonly now: () => number,
  ) {}

  /**
   * A group of the owner and the listed users, made as the owner would make it (its `created`
   * message names the owner), then given its picture and history option, if any, by the host.
   */
  async createGroup(widget: WidgetRow, g: NewHostGroup): Promise<Dialog> {
    await this.dialogs.requireKnown(widget, [g.ownerId]);
    const dialog = await this.dialogs.createGroup({ widget, userId: g.ownerId }, g.title, g.userIds);
    if (g.avatarUrl === undefined && g.history === undefined) return dialog;
    return this.change(widget, dialog.id, { kind: 'edit', avatarUrl: g.avatarUrl, history: g.history });
  }

  /** Applies a change with the owner's powers, in nobody's name; answers the dialog as its owner sees it. */
  async change(widget: WidgetRow, dialogId: number, request: HostChange): Promise<Dialog> {
    const change: GroupChange = request.kind === 'add' ? { ...request, maxMembers: maxGroupMembers(widget) } : request;
    for (let attempt = 1; ; attempt++) {
      const { view, owner } = await this.group(widget, dialogId);
      if (change.kind === 'remove' && change.userId === owner) {
        throw new AppError('not_allowed', 403, 'The owner cannot be removed; the owner can leave or hand over ownership in the chat.');
      }
      const draft = planChange(view, owner, change);
      if (!draft) return (await this.dialogs.toWire(widget, [view]))[0]!;
      if (draft.add?.length) await this.dialogs.requireKnown(widget, draft.add);
      const messages = draft.messages.map(bySystem);
      const followUps = draft.followUps.map(bySystem);
      const mentioned = [...messages, ...followUps].flatMap((s) => s.user_ids);
      const looked = await this.dialogs.lookUp(widget, [...view.members.map((m) => m.userId), ...(draft.add ?? []), ...mentioned]);
      const nameOf = nameIn(looked.users);
      const texted = (s: SystemEvent) => ({ text: systemText(s, nameOf), system: s });
      const plan: GroupPlan = { ...draft, actorId: null, messages: messages.map(texted), followUps: followUps.map(texted) };
      const result = await this.store.applyGroupChange(widget.id, dialogId, view.version, plan, this.now());
      if (result.kind === 'conflict') {
        if (attempt < MAX_ATTEMPTS) continue;
        throw new Error(`group ${dialogId} kept changing while a host change was planned (${MAX_ATTEMPTS} attempts)`);
      }
      const dialog = await this.dialogs.publishChange(widget, dialogId, owner, result, looked);
      if (dialog) return dialog;
      return this.dialog(widget, dialogId);
    }
  }

  /** A `notice` system message with the host's text, to every current member of a group. */
  async notice(widget: WidgetRow, dialogId: number, text: string): Promise<Message> {
    const system: SystemEvent = { action: 'notice', actor_id: null, user_ids: [], title: null };
    for (let attempt = 1; ; attempt++) {
      const { view, owner } = await this.group(widget, dialogId);
      const looked = await this.dialogs.lookUp(widget, view.members.map((m) => m.userId));
      const plan: GroupPlan = { actorId: null, messages: [{ text, system }], followUps: [] };
      const result = await this.store.applyGroupChange(widget.id, dialogId, view.version, plan, this.now());
      if (result.kind === 'conflict') {
        if (attempt < MAX_ATTEMPTS) continue;
        throw new Error(`group ${dialogId} kept changing while a notice was posted (${MAX_ATTEMPTS} attempts)`);
      }
      await this.dialogs.publishChange(widget, dialogId, owner, result, looked);
      return toWireMessage(result.messages[0]!.message, fileLinks(widget, this.now()));
    }
  }

  /** A normal message from `senderId`, who must be a current member of the dialog (a group or a direct one). */
  async post(widget: WidgetRow, dialogId: number, senderId: string, text: string, clientMsgId: string | null): Promise<{ message: Message; created: boolean }> {
    const view = await this.store.getDialogForMember(widget.id, dialogId, senderId);
    if (!view || view.membership !== 'member') {
      if ((await this.store.dialogAnchor(widget.id, dialogId)) === null) throw dialogNotFound();
      throw new AppError('user_not_found', 404, `The sender "${senderId}" is not a member of this dialog.`);
    }
    return this.messages.send({ widget, userId: senderId }, dialogId, text, clientMsgId);
  }

  /** The current members, in the order they joined, with their profiles and roles. */
  async members(widget: WidgetRow, dialogId: number): Promise<HostMember[]> {
    const anchor = await this.store.dialogAnchor(widget.id, dialogId);
    const view = anchor === null ? null : await this.store.getDialogForMember(widget.id, dialogId, anchor);
    if (!view) throw dialogNotFound();
    const [dialog] = await this.dialogs.toWire(widget, [view]);
    return dialog!.members.map((u, i) => ({ ...u, role: dialog!.members_state[i]!.role, joined_at: dialog!.members_state[i]!.joined_at }));
  }

  /** The dialog as its owner (or, without one, its longest-standing member) sees it. */
  private async dialog(widget: WidgetRow, dialogId: number): Promise<Dialog> {
    const { view } = await this.group(widget, dialogId);
    return (await this.dialogs.toWire(widget, [view]))[0]!;
  }

  /** A group of the widget with members, as its owner sees it. An empty group is as good as gone. */
  private async group(widget: WidgetRow, dialogId: number): Promise<{ view: DialogView; owner: string }> {
    const anchor = await this.store.dialogAnchor(widget.id, dialogId);
    const view = anchor === null ? null : await this.store.getDialogForMember(widget.id, dialogId, anchor);
    if (!view || view.membership !== 'member') throw dialogNotFound();
    if (view.type !== 'group') throw notAGroup();
    return { view, owner: view.members.find((m) => m.role === 'owner')?.userId ?? anchor! };
  }
}
