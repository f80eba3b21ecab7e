// A person's picture, or their initials on a colour derived from their id when there is none
// (or it fails to load).
import { useState } from 'preact/hooks';
import type { User } from '@imbachat/server/protocol';
import { safeHref } from '../linkify.ts';

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.slice(0, 2).map((w) => Array.from(w)[0] ?? '');
  return letters.join('').toLocaleUpperCase() || '?';
}

export function hue(id: string): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return h;
}

export function Avatar({ user, small }: { user: User; small?: boolean }) {
  const [broken, setBroken] = useState(false);
  const src = user.avatar_url ? safeHref(user.avatar_url) : null;
  return (
    <span class={`avatar${small ? ' small' : ''}`} style={{ '--hue': String(hue(user.user_id)) }} aria-hidden="true">
      {src && !broken ? <img src={src} alt="" loading="lazy" referrerpolicy="no-referrer" onError={() => setBroken(true)} /> : initials(user.name)}
    </span>
  );
}
