// The storage interface's shapes of running a group: a member's standing, a planned change and
// what applying it answers, and who read a message (store/types.ts composes them into the Store).
import type { MemberRole, SystemEvent } from '../realtime/protocol.ts';
import type { DialogType, EventRow, GroupHistory, Membership, MessageRow } from './types.ts';

/** What getMembership answers: enough to check a read or a page of history. */
export interface MembershipRow {
  type: DialogType;
  membership: Membership;
  /** The last seq the member may see: the dialog's, or their departure's. */
  lastSeq: number;
  lastReadSeq: number;
  /** Messages with a seq above this are visible to the member (0, or their joined seq in a from_join group). */
  visibleAfter: number;
}

/** A system message to store: its English text and what it says. */
export interface SystemMessageInput {
  text: string;
  system: SystemEvent;
}

/**
 * A change of a group, planned by the group rules (dialogs/rules.ts) on a view of version
 * `DialogView.version`, applied by the store in one transaction. In this order:
 * 1. `roles`, `set` and `add` (a user who left or was removed before comes back as a new member:
 *    role member, joined now at the dialog's last seq, unread 0, departure cleared);
 * 2. `messages`, one message and one `message` event each, seen by the departing too;
 * 3. `depart`: their departure is the last of `messages` (or the dialog's last seq without any);
 * 4. one `dialog` event for every current member and the departing (their last event);
 * 5. `followUps`: messages for the current members only (the owner hand-over after a leave).
 * The actor's read and delivered positions move to the last message (what you do you have seen).
 */
export interface GroupPlan {
  actorId: string | null;
  add?: string[];
  depart?: Array<{ userId: string; how: 'left' | 'removed' }>;
  roles?: Array<{ userId: string; role: MemberRole }>;
  set?: { title?: string; avatarUrl?: string | null; history?: GroupHistory };
  messages: SystemMessageInput[];
  followUps?: SystemMessageInput[];
}

/** A stored message with its logged event. */
export interface LoggedMessage {
  message: MessageRow;
  event: EventRow;
}

export type GroupChangeResult =
  /** The dialog changed since the view the plan was made on (or it is gone): plan again. */
  | { kind: 'conflict' }
  | {
      kind: 'applied';
      /** The plan's messages and follow-ups, in seq order. */
      messages: LoggedMessage[];
      /** How many of `messages` the departing users receive (the plan's messages, not its follow-ups). */
      departingSee: number;
      event: EventRow;
      /** The current members after the change. */
      memberIds: string[];
      /** Who left or was removed by it. */
      departed: string[];
    };

/** A member whose read position reached a message, and when it first did. */
export interface Reader {
  userId: string;
  /** Unix milliseconds. */
  readAt: number;
}
