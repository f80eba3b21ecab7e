// Picking people: a search box over the person's contacts (everyone they have a dialog with) and
// a checkbox per person, for a new chat or for adding members to a group. In the groups chunk.
import type { User } from '@imbachat/server/protocol';
import { useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { Avatar } from './Avatar.tsx';

export function People({ people, chosen, onToggle }: { people: User[]; chosen: readonly string[]; onToggle(userId: string): void }) {
  const [query, setQuery] = useState('');
  const q = query.trim().toLocaleLowerCase();
  const shown = q ? people.filter((u) => u.name.toLocaleLowerCase().includes(q)) : people;
  if (people.length === 0) return <p class="hint">{t('noContacts')}</p>;
  return (
    <>
      <input
        type="search"
        class="field search"
        aria-label={t('searchPeople')}
        placeholder={t('searchPeople')}
        value={query}
        data-autofocus
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      {shown.length === 0 ? (
        <p class="hint" role="status">
          {t('noMatches')}
        </p>
      ) : (
        <ul class="people">
          {shown.map((u) => (
            <li key={u.user_id}>
              <label class="pick">
                <input type="checkbox" checked={chosen.includes(u.user_id)} onChange={() => onToggle(u.user_id)} />
                <Avatar user={u} small />
                <span class="name ellipsis" dir="auto">
                  {u.name}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The chosen ids with `id` added or taken out. */
export const toggled = (ids: readonly string[], id: string): string[] => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);
