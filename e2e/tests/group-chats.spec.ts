// Group chats people run, through the real widget in three browsers: the owner starts a group
// from "New chat" with two of the people they talk to, everyone talks, the owner sees "Read by 2"
// and who read it, then removes one of them: the removed member keeps what they saw and is told
// so in place of the composer, and the others see it happen, live.
import { expect, test } from '@playwright/test';
import { settle } from '../support/chat.ts';
import { rest, stranger, ui, unique, widgetPage } from '../support/live.ts';

test('three people run a group: create, talk, "Read by 2", remove one, live everywhere', async ({ browser }) => {
  const owner = stranger('grp-owner');
  const bea = stranger('grp-bea');
  const cy = stranger('grp-cy');
  const ownerApi = await rest(owner);
  // The people the owner already has chats with are the ones "New chat" offers.
  for (const p of [bea, cy]) await ownerApi.send(await ownerApi.dialogWith(p), unique('Hi'));

  const [o, b, c] = await Promise.all([widgetPage(browser, owner), widgetPage(browser, bea), widgetPage(browser, cy)]);
  const [ow, bw, cw] = [ui(o.page), ui(b.page), ui(c.page)];
  for (const w of [ow, bw, cw]) await w.launcher.click();

  // The owner picks both, names the group and creates it: its conversation opens.
  const title = unique('Weekend hike');
  await o.page.getByRole('button', { name: 'New chat', exact: true }).click();
  const create = o.page.getByRole('button', { name: 'Create group' });
  await o.page.getByRole('checkbox', { name: bea.name }).check();
  await expect(o.page.getByRole('button', { name: 'Start chat' })).toBeEnabled();
  await o.page.getByRole('checkbox', { name: cy.name }).check();
  await expect(create).toBeDisabled(); // a group needs its name
  await o.page.getByRole('textbox', { name: 'Group name' }).fill(title);
  await create.click();
  await expect(o.page.getByRole('dialog', { name: title })).toBeVisible();
  await expect(ow.header).toContainText('3 members');
  await expect(ow.log.locator('.sys').first()).toHaveText(`${owner.name} created the group`);

  // It appears in the others' lists at once; each opens it.
  for (const [t, w] of [[b, bw], [c, cw]] as const) {
    await w.dialog(title).click();
    await expect(t.page.getByRole('dialog', { name: title })).toBeVisible();
    await expect(w.composer).toBeVisible();
  }

  // The owner writes; both others see it under the owner's name, and both read it.
  const hello = unique('Meet at the station at 8?');
  await ow.composer.fill(hello);
  await ow.composer.press('Enter');
  for (const w of [bw, cw]) {
    await expect(w.message(hello)).toBeVisible();
    await expect(w.log.locator('.sender', { hasText: owner.name })).toBeVisible();
  }
  const readBy = o.page.getByRole('button', { name: 'Read by 2' });
  await expect(readBy).toBeVisible();
  // Who read it, on demand, from the keyboard.
  await readBy.focus();
  await o.page.keyboard.press('Enter');
  await expect(readBy).toHaveAttribute('aria-expanded', 'true');
  const readers = o.page.locator('imbachat-widget').locator('.readers');
  await expect(readers).toContainText(bea.name);
  await expect(readers).toContainText(cy.name);

  // Replies, and typing names.
  await cw.composer.pressSequentially('On my way', { delay: 20 });
  await expect(ow.header).toContainText('Guest is typing…');
  const reply = unique('Yes, 8 works');
  await bw.composer.fill(reply);
  await bw.composer.press('Enter');
  await expect(ow.message(reply)).toBeVisible();
  await expect(cw.message(reply)).toBeVisible();
  await settle(o.page);
  await o.page.screenshot({ path: test.info().outputPath('group-owner.png') });

  // The owner removes Cy from the group's member list.
  await o.page.getByRole('button', { name: '3 members' }).click();
  await expect(o.page.getByRole('heading', { name: 'Group info' })).toBeVisible();
  await o.page.getByRole('button', { name: `Actions for ${cy.name}` }).click();
  await o.page.getByRole('button', { name: 'Remove from group' }).click();
  await expect(o.page.locator('imbachat-widget').locator('.group-info .card')).toContainText('2 members');
  await settle(o.page);
  await o.page.screenshot({ path: test.info().outputPath('group-info-owner.png') });

  // Cy is told, in place of the composer, and keeps what was said before.
  await expect(c.page.getByRole('status').filter({ hasText: 'You were removed from this group.' })).toBeVisible();
  await expect(cw.composer).toHaveCount(0);
  await expect(cw.message(hello)).toBeVisible();
  await expect(cw.log.locator('.sys').last()).toHaveText(`${owner.name} removed ${cy.name}`);
  await settle(c.page);
  await c.page.screenshot({ path: test.info().outputPath('group-removed.png') });
  // Bea sees it happen, live, and the group is smaller.
  await expect(bw.log.locator('.sys').last()).toHaveText(`${owner.name} removed ${cy.name}`);
  await expect(bw.header).toContainText('2 members');
  // What is said afterwards does not reach Cy, in the widget or over REST.
  const after = unique('Cy is not here any more');
  await bw.composer.fill(after);
  await bw.composer.press('Enter');
  await o.page.getByRole('button', { name: 'Back to the chat' }).click();
  await expect(ow.message(after)).toBeVisible();
  await expect(cw.message(after)).toHaveCount(0);
  const cyApi = await rest(cy);
  const group = (await cyApi.list()).items.find((d) => d.title === title)!;
  expect(group.membership).toBe('removed');
  expect((await cyApi.messages(group.id)).items.map((m) => m.text)).not.toContain(after);

  await Promise.all([o, b, c].map((t) => t.close()));
});
