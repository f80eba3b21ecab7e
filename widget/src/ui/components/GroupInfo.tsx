// A group's card: its picture, title and size; rename and add members for the owner and admins;
// the members with their roles and online dots, each with what the viewer may do to them
// (make or unmake an admin, remove); and leaving, after a confirmation. In the groups chunk.
import type { Dialog, MemberRole, User } from '@imbachat/server/protocol';
import { useState } from 'preact/hooks';
import { MAX_GROUP_TITLE_CHARS } from '@imbachat/server/protocol';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { isMember } from '../../state/groups.ts';
import { addMembers, contacts, leaveGroup, may, removeMember, renameGroup, roleOf, setRole } from '../../state/manage-groups.ts';
import { errorText } from '../errors.ts';
import { plural } from '../format.ts';
import { MoreIcon, PlusIcon } from '../icons.tsx';
import { Avatar, DialogAvatar } from './Avatar.tsx';
import { People, toggled } from './People.tsx';

type Mode = 'view' | 'rename' | 'add' | 'leave';
const RANK: Record<MemberRole, number> = { owner: 0, admin: 1, member: 2 };

/** Under the header and the banner, which the panel draws (ui/lazy-groups.tsx). */
export function GroupInfo({ chat, dialogId }: { chat: Chat; dialogId: number }) {
  const full = chat.full();
  const me = chat.session.userId;
  const d = chat.dialogs.byId(dialogId);
  const [mode, setMode] = useState<Mode>('view');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Whose actions are unfolded. */
  const [open, setOpen] = useState<string | null>(null);
  const back = () => full.showDialog(dialogId);

  /** Runs a change; on success back to the card (or `then`), on failure says why. */
  const act = (change: Promise<unknown>, then?: () => void) => {
    setBusy(true);
    setError(null);
    change.then(
      () => {
        setBusy(false);
        setMode('view');
        setOpen(null);
        then?.();
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  };

  if (!d) return null;
  const role = (id: string) => roleOf(d, id) ?? 'member';
  const members = [...d.members].sort((a, b) => RANK[role(a.user_id)] - RANK[role(b.user_id)] || a.name.localeCompare(b.name));

  return (
    <div class="body pad group-info">
      <div class="card">
        <DialogAvatar chat={chat} dialog={d} />
        {mode === 'rename' ? (
          <Rename title={d.title ?? ''} busy={busy} onCancel={() => setMode('view')} onSave={(title) => act(renameGroup(full.groups, dialogId, title))} />
        ) : (
          <p class="group-title" dir="auto">
            {d.title}
          </p>
        )}
        <p class="quiet">{plural('members', d.member_count)}</p>
        {mode !== 'rename' && may(d, me, 'rename') && (
          <button type="button" class="btn ghost" onClick={() => setMode('rename')}>
            {t('rename')}
          </button>
        )}
      </div>
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
      {may(d, me, 'add') &&
        (mode === 'add' ? (
          <AddMembers chat={chat} dialog={d} busy={busy} onCancel={() => setMode('view')} onAdd={(ids) => act(addMembers(full.groups, dialogId, ids))} />
        ) : (
          <button type="button" class="btn ghost wide" onClick={() => setMode('add')}>
            <PlusIcon />
            {t('addMembers')}
          </button>
        ))}
      <ul class="members">
        {members.map((u) => (
          <Member key={u.user_id} chat={chat} dialog={d} user={u} open={open === u.user_id} onToggle={() => setOpen(open === u.user_id ? null : u.user_id)} act={act} />
        ))}
      </ul>
      {isMember(d) &&
        (mode === 'leave' ? (
          <div class="confirm">
            <p>{t('leaveConfirm')}</p>
            <button type="button" class="btn danger" disabled={busy} onClick={() => act(leaveGroup(full.groups, dialogId), back)}>
              {t('leaveGroup')}
            </button>
            <button type="button" class="btn ghost" onClick={() => setMode('view')}>
              {t('cancel')}
            </button>
          </div>
        ) : (
          <button type="button" class="btn ghost wide warn" onClick={() => setMode('leave')}>
            {t('leaveGroup')}
          </button>
        ))}
    </div>
  );
}

function Member(props: { chat: Chat; dialog: Dialog; user: User; open: boolean; onToggle(): void; act(change: Promise<unknown>): void }) {
  const { chat, dialog: d, user: u } = props;
  const full = chat.full();
  const me = chat.session.userId;
  const id = u.user_id;
  const role = roleOf(d, id) ?? 'member';
  const online = full.presence.users.value[id]?.online ?? d.members_state.find((s) => s.user_id === id)?.online ?? false;
  const actions: { label: string; run(): Promise<unknown> }[] = [];
  if (may(d, me, 'role', id)) {
    const admin = role === 'admin';
    actions.push({ label: admin ? t('removeAdmin') : t('makeAdmin'), run: () => setRole(full.groups, d.id, id, admin ? 'member' : 'admin') });
  }
  if (may(d, me, 'remove', id)) actions.push({ label: t('removeMember'), run: () => removeMember(full.groups, d.id, id) });
  return (
    <li class="member">
      <div class="row">
        <Avatar user={u} small online={online} />
        <span class="name ellipsis" dir="auto">
          {u.name}
        </span>
        {id === me && <span class="quiet">({t('youMark')})</span>}
        {role !== 'member' && <span class="role">{t(role)}</span>}
        {actions.length > 0 && (
          <button type="button" class="icon-btn" aria-label={t('memberActions', { name: u.name })} aria-expanded={props.open} onClick={props.onToggle}>
            <MoreIcon />
          </button>
        )}
      </div>
      {props.open && (
        <div class="member-actions">
          {actions.map((a) => (
            <button key={a.label} type="button" class="btn ghost" onClick={() => props.act(a.run())}>
              {a.label}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

function Rename(props: { title: string; busy: boolean; onSave(title: string): void; onCancel(): void }) {
  const [title, setTitle] = useState(props.title);
  const ok = title.trim() !== '' && !props.busy;
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (ok) props.onSave(title.trim());
      }}
    >
      <input class="field" aria-label={t('groupName')} maxLength={MAX_GROUP_TITLE_CHARS} dir="auto" value={title} data-autofocus onInput={(e) => setTitle(e.currentTarget.value)} />
      <button type="submit" class="btn" disabled={!ok}>
        {t('save')}
      </button>
      <button type="button" class="btn ghost" onClick={props.onCancel}>
        {t('cancel')}
      </button>
    </form>
  );
}

function AddMembers(props: { chat: Chat; dialog: Dialog; busy: boolean; onAdd(ids: string[]): void; onCancel(): void }) {
  const { chat, dialog } = props;
  const inGroup = new Set(dialog.members.map((u) => u.user_id));
  const people = contacts(chat.dialogs.items.value, chat.session.userId).filter((u) => !inGroup.has(u.user_id));
  const [chosen, setChosen] = useState<string[]>([]);
  return (
    <div class="adding">
      <People people={people} chosen={chosen} onToggle={(id) => setChosen(toggled(chosen, id))} />
      <div class="inline-form">
        <button type="button" class="btn" disabled={chosen.length === 0 || props.busy} onClick={() => props.onAdd(chosen)}>
          {t('add')}
        </button>
        <button type="button" class="btn ghost" onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}
