// The page API for groups as a host site calls it: createGroup resolves with the new group,
// openGroup opens one, addToRoom takes the ImbaChat plugins' argument and opens what it made;
// what cannot work is refused with a reason (the console, the promise, the panel's notice).
import { expect, test } from '@playwright/test';
import { nobody, stranger, ui, unique, widgetPage } from '../support/live.ts';

type Outcome = { ok: true; value: { id: number; type: string; title: string; member_count: number; membership: string } } | { ok: false; code?: string; message: string };

test('createGroup, openGroup and addToRoom work from the page, and say why when they cannot', async ({ browser }) => {
  const me = stranger('papi-me');
  const ann = stranger('papi-ann');
  const ben = stranger('papi-ben');
  const tab = await widgetPage(browser, me);
  const page = tab.page;
  const w = ui(page);
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  const call = (script: string) =>
    page.evaluate(
      (s) =>
        (new Function('api', `return ${s}`)(window.imbaApi) as Promise<unknown>).then(
          (value) => ({ ok: true, value }),
          (err: { code?: string; message: string }) => ({ ok: false, code: err.code, message: err.message }),
        ),
      script,
    ) as Promise<Outcome>;

  // createGroup: the group, as the server made it; the panel stays as it was.
  const title = unique('Book club');
  const made = await call(`api.createGroup({ title: ${JSON.stringify(`  ${title}  `)}, user_ids: [${JSON.stringify(ann.id)}, ${JSON.stringify(ben.id)}] })`);
  expect(made).toMatchObject({ ok: true, value: { type: 'group', title, member_count: 3, membership: 'member' } });
  await expect(w.launcher).toHaveAttribute('aria-expanded', 'false');
  const id = made.ok ? made.value.id : 0;

  // openGroup: by number or by its decimal string.
  expect(await call(`api.openGroup(${JSON.stringify(String(id))})`)).toEqual({ ok: true });
  await expect(page.getByRole('dialog', { name: title })).toBeVisible();
  await expect(w.header).toContainText('3 members');

  // addToRoom, as the ImbaChat plugins call it: users_ids of { user_id }, pipe and the rest ignored.
  const room = unique('Conf 100');
  const added = await call(`api.addToRoom({ pipe: 'c100', title: ${JSON.stringify(room)}, is_public: 1, type: 2, users_ids: [{ user_id: ${JSON.stringify(ann.id)} }] })`);
  expect(added).toMatchObject({ ok: true, value: { type: 'group', title: room, member_count: 2 } });
  await expect(page.getByRole('dialog', { name: room })).toBeVisible();

  // Refusals: checked before anything is sent, with the reason in the console and the promise.
  const bad = [
    `api.createGroup({ title: '   ', user_ids: [${JSON.stringify(ann.id)}] })`,
    `api.createGroup({ title: 'No one', user_ids: [] })`,
    `api.createGroup({ title: 'Bad id', user_ids: [' 7 '] })`,
    `api.addToRoom({ pipe: 'c100', title: 'Join by pipe' })`,
    `api.openGroup(-3)`,
  ];
  for (const script of bad) expect(await call(script)).toMatchObject({ ok: false, code: 'validation_failed' });
  expect(consoleErrors).toEqual([
    expect.stringContaining('[ImbaChat] imbaApi.createGroup: "title" must be a text of 1–200 characters'),
    expect.stringContaining('[ImbaChat] imbaApi.createGroup: "user_ids" must list 1–500 members (got 0)'),
    expect.stringContaining("[ImbaChat] imbaApi.createGroup: every member's user id must be"),
    expect.stringContaining('[ImbaChat] imbaApi.addToRoom: "users_ids" must list 1–500 members'),
    expect.stringContaining('[ImbaChat] imbaApi.openGroup: the dialog id must be a positive integer'),
  ]);

  // The server's refusals come back as its error codes; a group that is not theirs says so.
  expect(await call(`api.createGroup({ title: 'Strangers', user_ids: [${JSON.stringify(nobody('papi'))}] })`)).toMatchObject({ ok: false, code: 'user_not_found' });
  expect(await call('api.openGroup(2147483000)')).toMatchObject({ ok: false, code: 'dialog_not_found' });
  await expect(ui(page).dialog(room)).toBeVisible(); // back on the list…
  await expect(page.getByRole('alert')).toHaveText('This chat could not be found.'); // …which says why
  await tab.close();
});
