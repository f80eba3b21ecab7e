// One browser, two people: after a log out on the host site, the next member sees only their own chats.
import { expect, test } from '@playwright/test';
import { logIn, stack, unique, visit, widget, widgetReady } from '../support/chat.ts';
import { lou, ned, ola } from '../support/users.ts';

test('after logging out on the demo site, the next member in the same browser sees none of the previous one\'s chats', async ({ browser }) => {
  const v = await visit(browser, lou);
  const w = widget(v.page);
  const secret = unique('Only for Ola');
  await v.page.goto(`${stack().demoUrl}/users/${ola.id}`);
  await v.page.getByRole('button', { name: 'Write a message' }).click();
  await w.composer.fill(secret);
  await w.composer.press('Enter');
  await expect(w.log.getByText(secret)).toBeVisible();

  await v.page.getByRole('button', { name: 'Log out' }).click();
  await expect(v.page.getByRole('heading', { name: 'Who are you today?' })).toBeVisible();
  await expect(w.launcher).toBeHidden();

  await logIn(v.page, ned);
  await widgetReady(v.page);
  await expect.poll(() => v.page.evaluate(() => window.imbaApi?.countNewMessagesSum())).toBe(0);
  await w.launcher.click();
  await expect(v.page.getByText('No conversations yet')).toBeVisible();
  await expect(w.dialog(lou)).toBeHidden();
  await expect(w.dialog(ola)).toBeHidden();
  await expect(v.page.getByText(secret)).toBeHidden();
  expect(await v.page.evaluate((id) => window.imbaApi?.countNewMessages(id), ola.id)).toBe(0);

  expect(v.dialogs).toEqual([]);
  await v.context.close();
});
