// The chat follows the person from page to page of the site: the panel comes back open on the
// conversation they left it on (or closed, if they closed it), per tab, without taking the focus.
import { expect, test } from '@playwright/test';
import { hasFocus, stack, visit, widget, widgetReady } from '../support/chat.ts';
import { sam, tom } from '../support/users.ts';

test('the open conversation stays open across navigation and reload, per tab, and a closed panel stays closed', async ({ browser }) => {
  const v = await visit(browser, sam, { viewport: { width: 375, height: 700 } });
  const w = widget(v.page);
  const base = stack().demoUrl;
  await v.page.goto(`${base}/users/${tom.id}`);
  await v.page.getByRole('button', { name: 'Write a message' }).click();
  await expect(w.composer).toBeVisible();
  await w.composer.fill('draft for Tom');

  // Another page of the site: the same conversation is open, with the draft, and the page keeps the focus.
  await v.page.goto(`${base}/`);
  await widgetReady(v.page);
  await expect(v.page.getByRole('dialog', { name: tom.name })).toBeVisible();
  await expect(w.composer).toHaveValue('draft for Tom');
  expect(await hasFocus(w.composer)).toBe(false);
  await v.page.screenshot({ path: test.info().outputPath('follows-375.png') });

  // A reload: still there.
  await v.page.reload();
  await expect(v.page.getByRole('dialog', { name: tom.name })).toBeVisible();

  // Back to the list, then another page: the list is open.
  await v.page.getByRole('button', { name: 'Back to chats' }).click();
  await expect(v.page.getByRole('dialog', { name: 'Chats' })).toBeVisible();
  await v.page.goto(`${base}/users/${tom.id}`);
  await expect(v.page.getByRole('dialog', { name: 'Chats' })).toBeVisible();

  // A new tab of the same browser starts closed: the state belongs to the tab.
  const other = await v.context.newPage();
  await other.goto(`${base}/`);
  await widgetReady(other);
  await expect(widget(other).launcher).toHaveAttribute('aria-expanded', 'false');
  await expect(other.getByRole('dialog')).toHaveCount(0);
  await other.close();

  // Closed, it stays closed on the next page.
  await v.page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(v.page.getByRole('dialog')).toHaveCount(0);
  await v.page.goto(`${base}/`);
  await widgetReady(v.page);
  await expect(w.launcher).toHaveAttribute('aria-expanded', 'false');
  await expect(v.page.getByRole('dialog')).toHaveCount(0);
  await v.context.close();
});
