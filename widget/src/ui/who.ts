// What the panel calls people inside a dialog: members by name (a group's sender, its typist).
import type { Dialog } from '@imbachat/server/protocol';

/** A member's name from the dialog's member list; their id when the list does not have them. */
export function memberName(dialog: Dialog | undefined, userId: string): string {
  return dialog?.members.find((m) => m.user_id === userId)?.name ?? userId;
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}
