// A person's picture, or their initials on a colour derived from their id when there is none
// (or it fails to load); a group's initials from its title.
import { useState } from 'preact/hooks';
import type { Dialog, User } from '@imbachat/server/protocol';
import type { Chat } from '../../state/chat.ts';
import { partnerOf } from '../../state/dialogs.ts';
import { safeHref } from '../linkify.ts';

export function initials(name: string): string {
  // A blank name splits into one empty word, which has no letter.
  const letters = name.trim().split(/\s+/).slice(0, 2).map((w) => [...w][0] ?? '');
  return letters.join('').toLocaleUpperCase() || '?';
}

export function hue(id: string): number {
  let h = 2166136261;
  for (const ch of id) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619);
  return (h >>> 0) % 360;
}

export function Avatar({ user, small, online }: { user: Pick<User, 'user_id' | 'name'> & { avatar_url?: string | null }; small?: boolean; online?: boolean }) {
  const [broken, setBroken] = useState(false);
  const src = user.avatar_url ? safeHref(user.avatar_url) : null;
  return (
    <span class={`avatar-wrap${small ? ' small' : ''}`} aria-hidden="true">
      <span class="avatar" style={{ '--hue': String(hue(user.user_id)) }}>
        {src && !broken ? <img src={src} alt="" loading="lazy" referrerpolicy="no-referrer" onError={() => setBroken(true)} /> : initials(user.name)}
      </span>
      {online && <span class="online-dot" />}
    </span>
  );
}

/**
 * The dialog's face: the partner with their online dot; a group's picture, else two of its other
 * members stacked, else its title's initials (groups show no presence here).
 */
export function DialogAvatar({ chat, dialog, small }: { chat: Chat; dialog: Dialog; small?: boolean }) {
  const me = chat.session.userId;
  const partner = partnerOf(dialog, me);
  if (partner) return <Avatar user={partner} small={small} online={chat.full().presence.users.value[partner.user_id]?.online === true} />;
  const group = { user_id: `group:${dialog.id}`, name: dialog.title ?? '', avatar_url: dialog.avatar_url };
  const [a, b] = dialog.members.filter((m) => m.user_id !== me);
  if (dialog.avatar_url || !b) return <Avatar user={group} small={small} />;
  return (
    <span class={`avatar-wrap stack${small ? ' small' : ''}`} aria-hidden="true">
      <Avatar user={a!} />
      <Avatar user={b} />
    </span>
  );
}
