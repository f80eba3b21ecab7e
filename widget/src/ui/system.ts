// A system message in the widget's language, from what it says happened (`system`), never from
// its English `text`, except where the chat cannot name someone: then English pages get the
// server's rendering (which names them) and others a plain word ("участник").
import type { Dialog } from '@imbachat/server/protocol';
import '../i18n/english.ts';
import { lang, plural, t, textLang } from '../i18n/index.ts';
import type { ChatMessage } from '../state/messages.ts';

/** Who a user id is, or null when the chat has not seen them (they left before this page). */
export type NameOf = (dialog: Dialog | undefined, userId: string) => string | null;

export function systemText(m: Pick<ChatMessage, 'system' | 'text'>, dialog: Dialog | undefined, nameOf: NameOf): string {
  const s = m.system;
  if (!s || s.action === 'notice') return m.text;
  let unknown = false;
  const name = (id: string | null, fallback: 'someone' | 'aMember') => {
    // Someone who left is no longer among the members: the message kept their name.
    const found = id === null ? null : (nameOf(dialog, id) ?? s.names?.[id] ?? null);
    if (found === null && id !== null) unknown = true;
    return found ?? t(fallback);
  };
  const about = s.action === 'added' || s.action === 'removed' ? 'aMember' : 'someone';
  // Ownership passes to user_ids[0].
  const whom = s.action === 'owner' ? s.user_ids.slice(0, 1) : s.user_ids;
  const vars = { actor: name(s.actor_id, 'someone'), users: list(whom.map((id) => name(id, about))), title: s.title ?? '' };
  if (unknown && textLang(lang.value) === 'en') return m.text;
  const n = s.user_ids.length;
  switch (s.action) {
    case 'created': return t('sysCreated', vars);
    case 'added': return t('sysAdded', vars);
    case 'removed': return t('sysRemoved', vars);
    case 'left': return t('sysLeft', vars);
    case 'renamed': return t('sysRenamed', vars);
    case 'avatar': return t('sysAvatar', vars);
    case 'promoted': return plural('sysPromoted', n, vars);
    case 'demoted': return plural('sysDemoted', n, vars);
    case 'owner': return t('sysOwner', vars);
    default: return m.text; // an action from a newer server
  }
}

/** "Bob", "Bob and Carol", "Bob, Carol and Dan", in the widget's language. */
function list(names: string[]): string {
  try {
    return new Intl.ListFormat(lang.value, { type: 'conjunction' }).format(names);
  } catch {
    return names.join(', ');
  }
}
