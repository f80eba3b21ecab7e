// What the panel calls people inside a dialog: members by name (a group's sender, its typists).
import type { Dialog } from '@imbachat/server/protocol';
import '../i18n/english.ts';
import { plural, t } from '../i18n/index.ts';

/** A member's name from the dialog's member list; their id when the list does not have them. */
export function memberName(dialog: Dialog | undefined, userId: string): string {
  return dialog?.members.find((m) => m.user_id === userId)?.name ?? userId;
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

/** "Alice is typing…", "Alice and Bob are typing…", "3 people are typing…" (first names). */
export function typingText(names: readonly string[]): string | null {
  const [a, b] = names.map(firstName);
  if (a === undefined) return null;
  if (b === undefined) return t('isTyping', { name: a });
  return names.length === 2 ? t('twoTyping', { a, b }) : plural('manyTyping', names.length);
}
