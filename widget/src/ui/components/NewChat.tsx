// Starting a chat: pick one person for a one-to-one chat, or two and more and name the group. In
// the groups chunk.
import { useState } from 'preact/hooks';
import { MAX_GROUP_TITLE_CHARS } from '@imbachat/server/protocol';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { contacts, createGroup } from '../../state/manage-groups.ts';
import { errorText } from '../errors.ts';
import { People, toggled } from './People.tsx';

/** Under the header and the banner, which the panel draws (ui/lazy-groups.tsx). */
export function NewChat({ chat }: { chat: Chat }) {
  const full = chat.full();
  const people = contacts(chat.dialogs.items.value, chat.session.userId);
  const [chosen, setChosen] = useState<string[]>([]);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const group = chosen.length > 1;
  const ready = !busy && (chosen.length === 1 || (group && title.trim() !== ''));

  const submit = (e: Event) => {
    e.preventDefault();
    const [only] = chosen;
    if (!ready || only === undefined) return;
    if (!group) return void chat.openDialogWith(only);
    setBusy(true);
    setError(null);
    createGroup(full.groups, title.trim(), chosen).then(
      (d) => full.showDialog(d.id),
      (err: unknown) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  };

  return (
    <form class="sheet" onSubmit={submit}>
      <div class="body pad">
        <People people={people} chosen={chosen} onToggle={(id) => setChosen(toggled(chosen, id))} />
      </div>
      {people.length > 0 && (
        <div class="foot">
          {error && (
            <p class="notice" role="alert">
              {error}
            </p>
          )}
          {group && (
            <input
              class="field"
              aria-label={t('groupName')}
              placeholder={t('groupName')}
              maxLength={MAX_GROUP_TITLE_CHARS}
              dir="auto"
              value={title}
              onInput={(e) => setTitle(e.currentTarget.value)}
            />
          )}
          <button type="submit" class="btn wide" disabled={!ready} aria-busy={busy}>
            {group ? t('createGroup') : t('startChat')}
          </button>
        </div>
      )}
    </form>
  );
}
