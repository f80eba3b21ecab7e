// Dialog rules: opening a direct dialog or creating a group with users the host knows, one dialog
// and the dialog list as the caller sees them, and the frames of a change (a new dialog, a group
// change): its system messages, then dialog.updated as each recipient sees the dialog.
import { fileLinks } from '../files/links.ts';
import { publishEvent, publishFrames } from '../bus/publish.ts';
import type { EventBus } from '../bus/types.ts';
import { AppError } from '../errors.ts';
import { dialogFrames, eventFrame, serialise } from '../realtime/frames.ts';
import { type Dialog, MAX_GROUP_MEMBERS, type Page } from '../realtime/protocol.ts';
import type { DialogCursor, DialogView, EventRow, GroupChangeResult, Store, WidgetRow } from '../store/types.ts';
import { type UsersDirectory, placeholderUser } from '../users/directory.ts';
import { dialogNotFound } from './rules.ts';
import { systemText } from './system-text.ts';
import { type UserMap, type ViewerFields, toWireDialog, viewerFields } from './wire.ts';

export { dialogNotFound };

/** Who is asking: the widget the request is for and the token's user. */
export interface Caller {
  widget: WidgetRow;
  userId: string;
}

export interface PresenceView {
  onlineAmong(widgetId: number, userIds: readonly string[]): Promise<Set<string>>;
}

/** Profiles and presence looked up before a change commits, so its frames go out right after it. */
export interface Looked {
  users: UserMap;
  online: ReadonlySet<string>;
}

export type AppliedChange = Extract<GroupChangeResult, { kind: 'applied' }>;

/** The most members a group of the widget may have (its `max_group_members`, else the default). */
export function maxGroupMembers(widget: WidgetRow): number {
  return widget.maxGroupMembers ?? MAX_GROUP_MEMBERS;
}

export function nameIn(users: UserMap): (userId: string) => string {
  return (id) => (users.get(id)?.user ?? placeholderUser(id)).name;
}

function encodeCursor(v: DialogView): string {
  return Buffer.from(`${v.activityAt}.${v.id}`).toString('base64url');
}

function decodeCursor(cursor: string): DialogCursor {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new AppError('validation_failed', 400, 'cursor is not valid; pass back a next_cursor value unchanged.');
  return { activityAt: Number(m[1]), dialogId: Number(m[2]) };
}

export class DialogService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly directory: UsersDirectory,
    private readonly presence: PresenceView,
    private readonly now: () => number,
  ) {}

  async open(caller: Caller, partnerId: string): Promise<{ dialog: Dialog; created: boolean }> {
    if (partnerId === caller.userId) throw new AppError('cannot_message_self', 400, 'You cannot open a dialog with yourself.');
    await this.requireKnown(caller.widget, [partnerId]);
    const { dialogId, created, event } = await this.store.openDirectDialog(caller.widget.id, caller.userId, partnerId, this.now());
    const dialog = await this.get(caller, dialogId);
    // The opener's other tabs learn of the new (still empty) dialog; the partner does with its first message.
    if (event) await publishEvent(this.bus, caller.widget.id, event, [caller.userId], { frame: serialise({ event_id: event.eventId, type: 'dialog.updated', dialog }), eventId: event.eventId });
    return { dialog, created };
  }

  async createGroup(caller: Caller, title: string, userIds: string[]): Promise<Dialog> {
    const { widget, userId } = caller;
    const memberIds = [userId, ...new Set(userIds.filter((id) => id !== userId))];
    const max = maxGroupMembers(widget);
    if (memberIds.length > max) throw new AppError('group_too_large', 400, `A group can have at most ${max} members, the creator included.`);
    await this.requireKnown(widget, memberIds.slice(1));
    const looked = await this.lookUp(widget, memberIds);
    const nameOf = nameIn(looked.users);
    const createdText = systemText({ action: 'created', actor_id: userId, user_ids: [], title }, nameOf);
    const { dialogId, event, created } = await this.store.createGroup(widget.id, { creatorId: userId, title, memberIds, createdText, creatorName: nameOf(userId) }, this.now());
    const change: AppliedChange = { kind: 'applied', messages: [created], departingSee: 1, event, memberIds, departed: [] };
    return (await this.publishChange(widget, dialogId, userId, change, looked))!;
  }

  async get(caller: Caller, dialogId: number): Promise<Dialog> {
    const view = await this.store.getDialogForMember(caller.widget.id, dialogId, caller.userId);
    if (!view) throw dialogNotFound();
    return (await this.toWire(caller.widget, [view]))[0]!;
  }

  async list(caller: Caller, cursor: string | undefined, limit: number): Promise<Page<Dialog>> {
    const views = await this.store.listDialogsForMember(caller.widget.id, caller.userId, cursor ? decodeCursor(cursor) : null, limit + 1);
    const page = views.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await this.toWire(caller.widget, page),
      next_cursor: views.length > limit && last ? encodeCursor(last) : null,
    };
  }

  /** The dialog.updated frame of a logged dialog event, as `userId` sees the dialog now (resume). */
  async dialogFrame(widget: WidgetRow, userId: string, event: EventRow): Promise<string | null> {
    const view = await this.store.getDialogForMember(widget.id, event.dialogId, userId);
    if (!view) return null;
    const [dialog] = await this.toWire(widget, [view]);
    return serialise({ event_id: event.eventId, type: 'dialog.updated', dialog: dialog! });
  }

  /** Profiles and presence of these users, looked up at once (before a change, so its frames can follow its commit at once). */
  async lookUp(widget: WidgetRow, userIds: Iterable<string>): Promise<Looked> {
    const ids = [...new Set(userIds)];
    const [users, online] = await Promise.all([this.directory.getMany(widget, ids), this.presence.onlineAmong(widget.id, ids)]);
    return { users, online };
  }

  /** Wire dialogs for one viewer, with every member's profile and presence looked up at once. */
  async toWire(widget: WidgetRow, views: DialogView[], looked?: Looked): Promise<Dialog[]> {
    const ids = views.flatMap((v) => v.members.map((m) => m.userId));
    const missing = looked ? ids.filter((id) => !looked.users.has(id)) : ids;
    const more = missing.length ? await this.lookUp(widget, missing) : null;
    const users: UserMap = new Map([...(looked?.users ?? []), ...(more?.users ?? [])]);
    const online = new Set([...(looked?.online ?? []), ...(more?.online ?? [])]);
    const links = fileLinks(widget, this.now());
    return views.map((v) => toWireDialog(v, users, online, links));
  }

  /**
   * Publishes a committed change: its system messages (the departing get those before their
   * departure too), then its dialog event as dialog.updated to every current member and to the
   * departing, each as they see the dialog now, then its follow-ups. Answers the dialog as
   * `viewerId` sees it (null when they are in neither group).
   */
  async publishChange(widget: WidgetRow, dialogId: number, viewerId: string, r: AppliedChange, looked: Looked): Promise<Dialog | null> {
    const anchor = r.memberIds.includes(viewerId) ? viewerId : r.memberIds[0];
    const [base, ...gone] = await Promise.all([
      anchor === undefined ? null : this.store.getDialogForMember(widget.id, dialogId, anchor),
      ...r.departed.map((u) => this.store.getDialogForMember(widget.id, dialogId, u)),
    ]);
    const wired = await this.toWire(widget, [base, ...gone].filter((v): v is DialogView => v !== null), looked);
    const baseWire = base ? wired[0]! : null;
    const goneWire = new Map(r.departed.map((u, i) => [u, wired[(base ? 1 : 0) + i] ?? null]));
    // From the view of one member, every member's: their own fields are in their member state.
    const viewers = new Map<string, ViewerFields>((base?.members ?? []).map((m) => [m.userId, viewerFields(m)]));
    const frames = baseWire ? dialogFrames(r.event.eventId, baseWire, viewers) : new Map<string, string>();
    for (const [u, d] of goneWire) if (d) frames.set(u, serialise({ event_id: r.event.eventId, type: 'dialog.updated', dialog: d }));

    const everyone = [...r.memberIds, ...r.departed];
    const sends: Array<Promise<void>> = [];
    const post = (i: number) => {
      const { message, event } = r.messages[i]!;
      const to = i < r.departingSee ? everyone : r.memberIds;
      sends.push(publishEvent(this.bus, widget.id, event, to, { frame: eventFrame(event, message, fileLinks(widget, this.now()))!, eventId: event.eventId }));
    };
    // In position order: the departure's messages, the dialog event, then the follow-ups.
    for (let i = 0; i < r.departingSee; i++) post(i);
    sends.push(publishFrames(this.bus, widget.id, r.event.eventId, frames, r.event.createdAt));
    for (let i = r.departingSee; i < r.messages.length; i++) post(i);
    await Promise.all(sends);

    if (baseWire && viewers.has(viewerId)) return { ...baseWire, ...viewers.get(viewerId)! };
    return goneWire.get(viewerId) ?? null;
  }

  /** Every id must be known to the host; when the host cannot be reached, chat goes on regardless (not when it refuses us). */
  async requireKnown(widget: WidgetRow, userIds: string[]): Promise<void> {
    const lookups = await Promise.all(userIds.map((id) => this.directory.verify(widget, id)));
    if (lookups.some((l) => l.status === 'refused')) {
      throw new AppError(
        'users_info_refused',
        503,
        "The site's users-info URL refused the chat's credentials, so nobody new can be messaged until the site owner fixes them.",
      );
    }
    const missing = userIds.filter((_, i) => lookups[i]!.status === 'missing');
    if (missing.length === 1) throw new AppError('user_not_found', 404, `The site does not know a user with id "${missing[0]}".`);
    if (missing.length > 1) {
      const shown = missing.slice(0, 10).map((id) => `"${id}"`).join(', ');
      throw new AppError('user_not_found', 404, `The site does not know the users with ids ${shown}${missing.length > 10 ? ', …' : ''}.`);
    }
  }
}
