// Groups through the real widget: a group created after the page loaded appears live, counts as
// unread, shows its title, "N members" and who wrote what, and a reply reaches the others.
import { expect, test } from '@playwright/test';
import { maxi, rest, stranger, ui, unique, widgetPage, zoe } from '../support/live.ts';
import { settle } from '../support/chat.ts';

test('a new group appears live in the list, counts unread, names its senders and takes replies', async ({ browser }) => {
  const owner = stranger('owner');
  const ownerApi = await rest(owner);
  const maxiApi = await rest(maxi);
  const tab = await widgetPage(browser, zoe, { viewport: { width: 375, height: 667 } });
  const w = ui(tab.page);
  await w.launcher.click();

  const title = unique('Книжный клуб');
  const groupId = await ownerApi.group(title, [zoe, maxi]);
  const row = w.dialog(title);
  await expect(row).toBeVisible();

  const text = unique('Who has read chapter 3?');
  await maxiApi.send(groupId, text);
  await expect(row.locator('.count')).toHaveText('1');
  const sum = () => tab.page.evaluate(() => window.imbaApi?.countNewMessagesSum());
  await expect.poll(sum).toBe(1);

  await expect(tab.page.getByRole('dialog', { name: 'Chats' })).toBeVisible();
  await row.click();
  // The panel's landmark is named after the open conversation.
  await expect(tab.page.getByRole('dialog', { name: title })).toBeVisible();
  await expect(w.header).toContainText(title);
  await expect(w.header).toContainText('3 members');
  await expect(w.message(text)).toBeVisible();
  await expect(w.log.getByText(maxi.name)).toBeVisible();
  // A short conversation is anchored to the bottom, next to the composer, not left at the top.
  const [logBox, lastBox] = [await w.log.boundingBox(), await w.message(text).boundingBox()];
  expect(logBox!.y + logBox!.height - (lastBox!.y + lastBox!.height)).toBeLessThan(60);
  await expect.poll(sum).toBe(0);
  await settle(tab.page);
  await tab.page.screenshot({ path: test.info().outputPath('group-375.png') });

  const reply = unique('Я прочитала');
  await w.composer.fill(reply);
  await w.composer.press('Enter');
  await expect.poll(async () => (await maxiApi.messages(groupId)).items.map((m) => m.text)).toContain(reply);
  await tab.close();
});
