// Dialog rules: opening a direct dialog or creating a group with users the host knows, one dialog
// and the dialog list as the caller sees them, and the dialog.updated frame of a new dialog.
import { publishEvent } from '../bus/publish.ts';
import type { EventBus } from '../bus/types.ts';
import { AppError } from '../errors.ts';
import { serialise } from '../realtime/frames.ts';
import { type Dialog, MAX_GROUP_MEMBERS, type Page } from '../realtime/protocol.ts';
import type { DialogCursor, DialogView, EventRow, Store, WidgetRow } from '../store/types.ts';
import type { UsersDirectory } from '../users/directory.ts';
import { toWireDialog } from './wire.ts';

/** Who is asking: the widget the request is for and the token's user. */
export interface Caller {
  widget: WidgetRow;
  userId: string;
}

export interface PresenceView {
  onlineAmong(widgetId: number, userIds: readonly string[]): Promise<Set<string>>;
}

function encodeCursor(v: DialogView): string {
  return Buffer.from(`${v.activityAt}.${v.id}`).toString('base64url');
}

function decodeCursor(cursor: string): DialogCursor {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new AppError('validation_failed', 400, 'cursor is not valid; pass back a next_cursor value unchanged.');
  return { activityAt: Number(m[1]), dialogId: Number(m[2]) };
}

export function dialogNotFound(): AppError {
  return new AppError('dialog_not_found', 404, 'No such dialog, or you are not one of its members.');
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
    if (event) await this.announce(caller.widget, event, [caller.userId], dialog);
    return { dialog, created };
  }

  async createGroup(caller: Caller, title: string, userIds: string[]): Promise<Dialog> {
    const memberIds = [caller.userId, ...new Set(userIds.filter((id) => id !== caller.userId))];
    if (memberIds.length > MAX_GROUP_MEMBERS) {
      throw new AppError('group_too_large', 400, `A group can have at most ${MAX_GROUP_MEMBERS} members, the creator included.`);
    }
    await this.requireKnown(caller.widget, memberIds.slice(1));
    const { dialogId, event } = await this.store.createGroup(caller.widget.id, { creatorId: caller.userId, title, memberIds }, this.now());
    // Everyone has read nothing of a new group, so the creator's view is every member's view.
    const dialog = await this.get(caller, dialogId);
    await this.announce(caller.widget, event, memberIds, dialog);
    return dialog;
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

  /** Wire dialogs for one viewer, with every member's profile and presence looked up at once. */
  private async toWire(widget: WidgetRow, views: DialogView[]): Promise<Dialog[]> {
    const ids = [...new Set(views.flatMap((v) => v.members.map((m) => m.userId)))];
    const [users, online] = await Promise.all([this.directory.getMany(widget, ids), this.presence.onlineAmong(widget.id, ids)]);
    return views.map((v) => toWireDialog(v, users, online));
  }

  private async announce(widget: WidgetRow, event: EventRow, memberIds: string[], dialog: Dialog): Promise<void> {
    const frame = serialise({ event_id: event.eventId, type: 'dialog.updated', dialog });
    await publishEvent(this.bus, widget.id, event, memberIds, { frame, eventId: event.eventId });
  }

  /** Every id must be known to the host; when the host cannot be reached, chat goes on regardless (not when it refuses us). */
  private async requireKnown(widget: WidgetRow, userIds: string[]): Promise<void> {
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
