// The group rules, as one pure function: who may do what to whom (docs/api.md, "Roles and rules"),
// and what a permitted change does, planned on the caller's view of the dialog. The store applies
// the plan only if the dialog is still at the version the plan was made on, so a rule checked here
// cannot be overtaken by another change (a demotion, a removal) before it lands.
import { AppError } from '../errors.ts';
import type { GroupHistory, SystemEvent } from '../realtime/protocol.ts';
import type { DialogView, GroupPlan, MemberState } from '../store/types.ts';

export type GroupChange =
  | { kind: 'add'; userIds: string[]; maxMembers: number }
  | { kind: 'remove'; userId: string }
  | { kind: 'leave' }
  | { kind: 'edit'; title?: string | undefined; avatarUrl?: string | null | undefined; history?: GroupHistory | undefined }
  | { kind: 'role'; userId: string; role: 'owner' | 'admin' | 'member' };

/** A plan whose system messages still need their English text (which needs the host's names). */
export interface DraftPlan extends Omit<GroupPlan, 'messages' | 'followUps'> {
  messages: SystemEvent[];
  followUps: SystemEvent[];
}

export function dialogNotFound(): AppError {
  return new AppError('dialog_not_found', 404, 'No such dialog, or you are not one of its members.');
}

export function notAGroup(): AppError {
  return new AppError('not_a_group', 400, 'This is a direct dialog: it has no members to manage.');
}

const notAllowed = (message: string) => new AppError('not_allowed', 403, message);
const notMember = (userId: string) => new AppError('user_not_found', 404, `The user "${userId}" is not a member of this group.`);

const system = (action: SystemEvent['action'], actorId: string | null, userIds: string[] = [], title: string | null = null): SystemEvent => ({
  action,
  actor_id: actorId,
  user_ids: userIds,
  title,
});

/** Earliest joined first, ties by user id: who has stood longest. */
function longestStanding(members: MemberState[]): MemberState | undefined {
  return [...members].sort((a, b) => a.joinedAt - b.joinedAt || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))[0];
}

/**
 * The plan of `change` made by `actorId` on their view of the dialog, or null when it changes
 * nothing (adding members who are in already, renaming to the same title). Throws the refusal:
 * 404 dialog_not_found for anyone who is not a current member, 400 not_a_group in a direct
 * dialog, 403 not_allowed naming the role needed, 404 user_not_found for a target who is not a
 * member, 400 group_too_large.
 */
export function planChange(view: DialogView, actorId: string, change: GroupChange): DraftPlan | null {
  if (view.membership !== 'member') throw dialogNotFound();
  if (view.type !== 'group') throw notAGroup();
  const members = new Map(view.members.map((m) => [m.userId, m]));
  const me = members.get(actorId);
  if (!me) throw dialogNotFound();
  const manager = me.role === 'owner' || me.role === 'admin';
  const plan = (p: Partial<DraftPlan>): DraftPlan => ({ actorId, messages: [], followUps: [], ...p });

  switch (change.kind) {
    case 'add': {
      if (!manager) throw notAllowed('Only the owner and admins can add members.');
      const added = [...new Set(change.userIds)].filter((id) => !members.has(id));
      if (added.length === 0) return null;
      if (members.size + added.length > change.maxMembers) {
        const room = Math.max(0, change.maxMembers - members.size);
        throw new AppError(
          'group_too_large',
          400,
          `A group can have at most ${change.maxMembers} members; this one has ${members.size}, so ${room === 0 ? 'nobody more' : `at most ${room} more`} can be added.`,
        );
      }
      return plan({ add: added, messages: [system('added', actorId, added)] });
    }

    case 'remove': {
      if (change.userId === actorId) return planChange(view, actorId, { kind: 'leave' });
      if (!manager) throw notAllowed('Only the owner and admins can remove members.');
      const target = members.get(change.userId);
      if (!target) throw notMember(change.userId);
      if (target.role === 'owner') throw notAllowed('Nobody can remove the owner; the owner can leave or hand over ownership.');
      if (target.role === 'admin' && me.role !== 'owner') throw notAllowed('Only the owner can remove admins.');
      return plan({ depart: [{ userId: target.userId, how: 'removed' }], messages: [system('removed', actorId, [target.userId])] });
    }

    case 'leave': {
      const draft = plan({ depart: [{ userId: actorId, how: 'left' }], messages: [system('left', actorId)] });
      if (me.role !== 'owner') return draft;
      // An owner who leaves hands over: to the longest-standing admin, else the longest-standing member.
      const others = view.members.filter((m) => m.userId !== actorId);
      const heir = longestStanding(others.filter((m) => m.role === 'admin')) ?? longestStanding(others);
      if (!heir) return draft; // the last member: the group stays, empty
      return { ...draft, roles: [{ userId: heir.userId, role: 'owner' }], followUps: [system('owner', null, [heir.userId])] };
    }

    case 'edit': {
      const set: NonNullable<GroupPlan['set']> = {};
      const messages: SystemEvent[] = [];
      if (change.history !== undefined && me.role !== 'owner') throw notAllowed('Only the owner can change who sees the history.');
      if ((change.title !== undefined || change.avatarUrl !== undefined) && !manager) {
        throw notAllowed('Only the owner and admins can rename the group or change its picture.');
      }
      if (change.title !== undefined && change.title !== view.title) {
        set.title = change.title;
        messages.push(system('renamed', actorId, [], change.title));
      }
      if (change.avatarUrl !== undefined && change.avatarUrl !== view.avatarUrl) {
        set.avatarUrl = change.avatarUrl;
        messages.push(system('avatar', actorId));
      }
      // Who sees the history changes no message: it is a setting, not news.
      if (change.history !== undefined && change.history !== view.history) set.history = change.history;
      return Object.keys(set).length === 0 ? null : plan({ set, messages });
    }

    case 'role': {
      if (me.role !== 'owner') {
        throw notAllowed(change.role === 'owner' ? 'Only the owner can hand over ownership.' : 'Only the owner can promote and demote admins.');
      }
      if (change.userId === actorId) throw notAllowed("The owner's own role changes only by handing ownership to another member.");
      const target = members.get(change.userId);
      if (!target) throw notMember(change.userId);
      if (change.role === 'owner') {
        return plan({
          roles: [
            { userId: target.userId, role: 'owner' },
            { userId: actorId, role: 'admin' },
          ],
          messages: [system('owner', actorId, [target.userId])],
        });
      }
      if (target.role === change.role) return null;
      return plan({ roles: [{ userId: target.userId, role: change.role }], messages: [system(change.role === 'admin' ? 'promoted' : 'demoted', actorId, [target.userId])] });
    }
  }
}
