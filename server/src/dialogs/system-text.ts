// The English text of a system message ("Alice added Bob"), stored with it for clients that do not
// localise; the widget renders `system` in its own language. Names are the host's as looked up at
// the time of the change: the text is a record of what was said then.
import type { SystemEvent } from '../realtime/protocol.ts';

/** At most this many names are spelled out; the rest are counted ("and 4 others"). */
const NAMES_SHOWN = 3;

/** PostgreSQL text cannot hold U+0000, and a host may send anything in a name. */
const clean = (s: string) => s.replace(/\u0000/g, '');

function list(names: string[]): string {
  if (names.length <= 1) return names[0] ?? 'nobody';
  if (names.length <= NAMES_SHOWN) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const rest = names.length - NAMES_SHOWN;
  return `${names.slice(0, NAMES_SHOWN).join(', ')} and ${rest} ${rest === 1 ? 'other' : 'others'}`;
}

export function systemText(s: SystemEvent, nameOf: (userId: string) => string): string {
  const actor = s.actor_id === null ? null : nameOf(s.actor_id);
  const whom = list(s.user_ids.map(nameOf));
  const plural = s.user_ids.length > 1;
  const title = `“${s.title ?? ''}”`;
  switch (s.action) {
    case 'created':
      return clean(actor ? `${actor} created the group ${title}` : `The group ${title} was created`);
    case 'added':
      return clean(actor ? `${actor} added ${whom}` : `${whom} ${plural ? 'were' : 'was'} added`);
    case 'removed':
      return clean(actor ? `${actor} removed ${whom}` : `${whom} ${plural ? 'were' : 'was'} removed`);
    case 'left':
      return clean(`${actor ?? whom} left`);
    case 'renamed':
      return clean(actor ? `${actor} renamed the group to ${title}` : `The group was renamed to ${title}`);
    case 'avatar':
      return clean(actor ? `${actor} changed the group picture` : 'The group picture was changed');
    case 'promoted':
      return clean(actor ? `${actor} made ${whom} ${plural ? 'admins' : 'an admin'}` : `${whom} ${plural ? 'are now admins' : 'is now an admin'}`);
    case 'demoted':
      return clean(actor ? `${actor} removed ${whom} as ${plural ? 'admins' : 'admin'}` : `${whom} ${plural ? 'are' : 'is'} no longer ${plural ? 'admins' : 'an admin'}`);
    case 'owner':
      return clean(actor ? `${actor} made ${whom} the owner` : `${whom} is now the owner`);
    case 'notice':
      // A notice's text is the notice itself; it is passed in, not made here.
      return '';
  }
}
