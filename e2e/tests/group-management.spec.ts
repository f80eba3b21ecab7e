// Running a group in the widget: from the keyboard alone; roles, renaming and leaving as the other
// members see them live; muting (silent, still counted); and what the person is told when there
// is no one to pick or a change fails.
import { type Page, expect, test } from '@playwright/test';
import { hasFocus, settle, tabTo } from '../support/chat.ts';
import { rest, setHidden, spied, stranger, ui, unique, widgetPage } from '../support/live.ts';

const shadow = (page: Page) => page.locator('imbachat-widget');

test('keyboard only: start a group from "New chat", then mute it from the header menu', async ({ browser }) => {
  const me = stranger('kb-owner');
  const ann = stranger('kb-ann');
  const ben = stranger('kb-ben');
  const mine = await rest(me);
  for (const p of [ann, ben]) await mine.send(await mine.dialogWith(p), unique('Hello'));
  const tab = await widgetPage(browser, me);
  const page = tab.page;
  const w = ui(page);

  await tabTo(page, w.launcher);
  await page.keyboard.press('Enter');
  const newChat = page.getByRole('button', { name: 'New chat', exact: true });
  await tabTo(page, newChat, 10);
  await page.keyboard.press('Enter');
  // The search box has the focus; it narrows the list as the person types.
  const search = page.getByRole('searchbox', { name: 'Search people' });
  await expect.poll(() => hasFocus(search)).toBe(true);
  await page.keyboard.type('kb-ann');
  await expect(page.getByRole('checkbox')).toHaveCount(1);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await expect(page.getByRole('checkbox', { name: ann.name })).toBeChecked();
  await search.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('kb-ben');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  const name = page.getByRole('textbox', { name: 'Group name' });
  await tabTo(page, name, 5);
  const title = unique('Keyboard club');
  await page.keyboard.type(title);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: title })).toBeVisible();
  await expect(w.header).toContainText('3 members');
  // The composer has the focus in the new group.
  await expect.poll(() => hasFocus(w.composer)).toBe(true);

  // The header menu: Enter opens it on its first item, arrows move, Escape closes only the menu.
  const menu = page.getByRole('button', { name: 'Chat menu' });
  await tabTo(page, menu, 10);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Group info' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(w.composer).toBeVisible();
  await expect.poll(() => hasFocus(menu)).toBe(true);
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Mute' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(w.header).toContainText('Muted');
  await expect.poll(async () => (await mine.list()).items.find((d) => d.title === title)?.muted).toBe(true);
  await tab.close();
});

test('roles, a rename and leaving, as the other members see them live', async ({ browser }) => {
  const owner = stranger('roles-owner');
  const bea = stranger('roles-bea');
  const cy = stranger('roles-cy');
  const ownerApi = await rest(owner);
  const title = unique('Choir');
  const groupId = await ownerApi.group(title, [bea, cy]);
  const [o, b] = await Promise.all([widgetPage(browser, owner), widgetPage(browser, bea)]);
  const [ow, bw] = [ui(o.page), ui(b.page)];
  await o.page.evaluate((id) => window.imbaApi?.openGroup(id), groupId);
  await b.page.evaluate((id) => window.imbaApi?.openGroup(id), groupId);
  await expect(bw.composer).toBeVisible();

  // A plain member's group info: no rename, no add, no actions on others; leaving is there.
  await b.page.getByRole('button', { name: '3 members' }).click();
  await expect(b.page.getByRole('button', { name: 'Leave group' })).toBeVisible();
  await expect(b.page.getByRole('button', { name: 'Rename' })).toHaveCount(0);
  await expect(b.page.getByRole('button', { name: 'Add members' })).toHaveCount(0);
  await expect(b.page.getByRole('button', { name: /^Actions for/ })).toHaveCount(0);

  // The owner makes Bea an admin: she sees it at once, and may now rename and add.
  await o.page.getByRole('button', { name: '3 members' }).click();
  await o.page.getByRole('button', { name: `Actions for ${bea.name}` }).click();
  await o.page.getByRole('button', { name: 'Make admin' }).click();
  await expect(shadow(o.page).locator('.member', { hasText: bea.name }).locator('.role')).toHaveText('admin');
  await expect(b.page.getByRole('button', { name: 'Rename' })).toBeVisible();
  await expect(b.page.getByRole('button', { name: 'Add members' })).toBeVisible();

  // Bea renames the group; the owner's screens follow.
  const renamed = unique('Chamber choir');
  await b.page.getByRole('button', { name: 'Rename' }).click();
  const field = b.page.getByRole('textbox', { name: 'Group name' });
  await field.fill(renamed);
  await field.press('Enter');
  await expect(shadow(b.page).locator('.group-title')).toHaveText(renamed);
  await expect(shadow(o.page).locator('.group-title')).toHaveText(renamed);
  await o.page.getByRole('button', { name: 'Back to the chat' }).click();
  await expect(ow.header.locator('h2')).toHaveText(renamed);
  await expect(ow.log.locator('.sys').nth(-2)).toHaveText(`${bea.name} is now an admin`);
  await expect(ow.log.locator('.sys').last()).toHaveText(`${bea.name} renamed the group to “${renamed}”`);

  // Bea leaves, after saying yes: her composer gives way to a line, the group stays in her list.
  await b.page.getByRole('button', { name: 'Leave group' }).click();
  await expect(shadow(b.page).locator('.confirm')).toContainText('Leave this group?');
  await settle(b.page);
  await b.page.screenshot({ path: test.info().outputPath('leave-confirm.png') });
  await shadow(b.page).locator('.confirm').getByRole('button', { name: 'Leave group' }).click();
  await expect(b.page.getByRole('status').filter({ hasText: 'You left this group.' })).toBeVisible();
  await expect(bw.composer).toHaveCount(0);
  await expect(ow.log.locator('.sys').last()).toHaveText(`${bea.name} left`);
  await expect(ow.header).toContainText('2 members');
  await b.page.getByRole('button', { name: 'Back to chats' }).click();
  await expect(bw.dialog(renamed)).toBeVisible();
  await settle(b.page);
  await b.page.screenshot({ path: test.info().outputPath('left-list.png') });
  await Promise.all([o.close(), b.close()]);
});

test('a muted group is silent and out of the title count, but its unread count still shows', async ({ browser }) => {
  const me = stranger('mute-me');
  const other = stranger('mute-other');
  const otherApi = await rest(other);
  const title = unique('Noisy group');
  const groupId = await otherApi.group(title, [me]);
  const tab = await widgetPage(browser, me, { spies: true });
  const w = ui(tab.page);
  const pageTitle = await tab.page.title();
  await w.launcher.click(); // a gesture: sound is allowed from here on
  await tab.page.evaluate((id) => window.imbaApi?.openGroup(id), groupId);
  // A press anywhere else, on the host page too, closes the menu.
  await tab.page.getByRole('button', { name: 'Chat menu' }).click();
  await expect(tab.page.getByRole('menu')).toBeVisible();
  await tab.page.mouse.click(5, 5);
  await expect(tab.page.getByRole('menu')).toHaveCount(0);
  await tab.page.getByRole('button', { name: 'Chat menu' }).click();
  await tab.page.getByRole('menuitem', { name: 'Mute' }).click();
  await expect(w.header).toContainText('Muted');
  await tab.page.getByRole('button', { name: 'Back to chats' }).click();
  await expect(w.dialog(title).locator('.muted-mark')).toBeVisible();
  await w.launcher.click(); // closed: a message would ring

  await setHidden(tab.page, true);
  await otherApi.send(groupId, unique('Anyone?'));
  await expect(w.badge).toHaveText('1');
  expect(await tab.page.evaluate(() => window.imbaApi?.countNewMessagesSum())).toBe(1);
  await expect(tab.page).toHaveTitle(pageTitle);
  expect((await spied(tab.page)).tones).toBe(0);

  // Unmuted (through the API, as another tab would): the next message rings and counts.
  await (await rest(me)).call('PUT', `/dialogs/${groupId}/mute`, { muted: false });
  await tab.reload();
  // Opened (its code loads) and closed again: a gesture the sound's code has seen.
  await w.launcher.click();
  await expect(tab.page.getByRole('dialog')).toBeVisible();
  await w.launcher.click();
  await expect(tab.page.getByRole('dialog')).toHaveCount(0);
  await setHidden(tab.page, true);
  await otherApi.send(groupId, unique('Now?'));
  await expect(w.badge).toHaveText('2');
  await expect(tab.page).toHaveTitle(`(2) ${pageTitle}`);
  await expect.poll(async () => (await spied(tab.page)).tones).toBe(1);
  await tab.close();
});

test('no one to pick, and a change that fails, say so in plain words', async ({ browser }) => {
  // Someone with no chats at all: "New chat" has no one to offer.
  const alone = stranger('alone');
  const t1 = await widgetPage(browser, alone, { viewport: { width: 320, height: 568 } });
  await ui(t1.page).launcher.click();
  await t1.page.getByRole('button', { name: 'New chat', exact: true }).click();
  await expect(shadow(t1.page).getByText('No one to pick yet: the people you have chats with appear here.')).toBeVisible();
  await settle(t1.page);
  await t1.page.screenshot({ path: test.info().outputPath('new-chat-empty-320.png') });
  await t1.close();

  // An owner adds someone to a full group (the e2e widget allows 40 members): the server refuses,
  // the reason shows, nobody is added.
  const owner = stranger('fail-owner');
  const dee = stranger('fail-dee');
  const eve = stranger('fail-eve');
  const ownerApi = await rest(owner);
  await ownerApi.send(await ownerApi.dialogWith(eve), unique('Hi Eve'));
  const crowd = Array.from({ length: 38 }, (_, i) => stranger(`fail-${i}`));
  const groupId = await ownerApi.group(unique('Full group'), [dee, ...crowd]);
  const t2 = await widgetPage(browser, owner);
  await t2.page.evaluate((id) => window.imbaApi?.openGroup(id), groupId);
  await t2.page.getByRole('button', { name: '40 members' }).click();
  await t2.page.getByRole('button', { name: 'Add members' }).click();
  await t2.page.getByRole('checkbox', { name: eve.name }).check();
  await t2.page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(t2.page.getByRole('alert')).toHaveText('That would make the group too large.');
  await expect(shadow(t2.page).locator('.members > li')).toHaveCount(40);
  expect(await ownerApi.dialog(groupId)).toMatchObject({ member_count: 40 });
  await settle(t2.page);
  await t2.page.screenshot({ path: test.info().outputPath('add-failed.png') });

  // Creating a group while the server cannot be reached: the form stays, with the reason.
  await t2.context.route('**/api/v1/*/dialogs', (route) => (route.request().method() === 'POST' ? route.abort() : route.fallback()));
  await t2.page.getByRole('button', { name: 'Back to the chat' }).click();
  await t2.page.getByRole('button', { name: 'Back to chats' }).click();
  await t2.page.getByRole('button', { name: 'New chat', exact: true }).click();
  await t2.page.getByRole('checkbox', { name: dee.name }).check();
  await t2.page.getByRole('checkbox', { name: eve.name }).check();
  await t2.page.getByRole('textbox', { name: 'Group name' }).fill('Offline plans');
  await t2.page.getByRole('button', { name: 'Create group' }).click();
  await expect(t2.page.getByRole('alert')).toHaveText('Could not reach the chat server.');
  await expect(t2.page.getByRole('button', { name: 'Create group' })).toBeEnabled();
  await t2.close();
});
