// The main story: two people on the demo site chat through the widget, live, and keep the history.
import { expect, test } from '@playwright/test';
import { alice, bob } from '../support/users.ts';
import { stack, unique, visit, widget, widgetReady } from '../support/chat.ts';

test('Alice writes to Bob from his profile; Bob sees the badge and the message live, replies; both keep the history after a reload', async ({ browser }) => {
  const a = await visit(browser, alice);
  const b = await visit(browser, bob);
  const aw = widget(a.page);
  const bw = widget(b.page);
  const hello = unique('Hi Bob, it is Alice 👋');
  const reply = unique('Hello Alice! Bob here');

  await widgetReady(b.page);
  await expect(bw.log).toBeHidden();

  // Alice: Bob's profile → "Write a message" → send.
  await a.page.goto(`${stack().demoUrl}/users/${bob.id}`);
  await expect(a.page.getByRole('heading', { name: bob.name })).toBeVisible();
  await a.page.getByRole('button', { name: 'Write a message' }).click();
  await expect(aw.composer).toBeVisible();
  await aw.composer.fill(hello);
  await aw.send.click();
  await expect(aw.log.getByText(hello)).toBeVisible();

  // Bob, without reloading: the launcher shows an unread badge, and the page API agrees.
  await expect.poll(() => b.page.evaluate((id) => window.imbaApi?.countNewMessages(id) ?? 0, alice.id)).toBeGreaterThan(0);
  const unread = await b.page.evaluate(() => window.imbaApi?.countNewMessagesSum() ?? 0);
  await expect(bw.launcher).toContainText(String(unread));

  await bw.launcher.click();
  await bw.dialog(alice).click();
  await expect(bw.log.getByText(hello)).toBeVisible();
  await bw.composer.fill(reply);
  await bw.composer.press('Enter');
  await expect(bw.log.getByText(reply)).toBeVisible();

  // Alice sees the reply in the open dialog, without reloading.
  await expect(aw.log.getByText(reply)).toBeVisible();

  // Both reload and find the whole conversation again.
  await a.page.reload();
  await a.page.getByRole('button', { name: 'Write a message' }).click();
  await expect(aw.log.getByText(hello)).toBeVisible();
  await expect(aw.log.getByText(reply)).toBeVisible();

  await b.page.reload();
  await b.page.getByRole('button', { name: `Write a message to ${alice.name}` }).click();
  await expect(bw.log.getByText(hello)).toBeVisible();
  await expect(bw.log.getByText(reply)).toBeVisible();

  expect([...a.dialogs, ...b.dialogs]).toEqual([]);
  await a.context.close();
  await b.context.close();
});
