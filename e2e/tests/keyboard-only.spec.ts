// The whole chat works without a mouse: Tab to the launcher, open, pick a dialog, type, send, Escape.
import { expect, test } from '@playwright/test';
import { kai, kim } from '../support/users.ts';
import { hasFocus, restAs, stack, tabTo, unique, visit, widget, widgetReady } from '../support/chat.ts';

test('keyboard only: Tab to the launcher, open it, pick a dialog, type, send with Enter, close with Escape', async ({ browser }) => {
  const kaiApi = await restAs(kai);
  const greeting = unique('Kim, are you there?');
  await kaiApi.send(await kaiApi.dialogWith(kim), greeting);

  const k = await visit(browser, kim);
  const kw = widget(k.page);
  await k.page.goto(`${stack().demoUrl}/users/${kim.id}`);
  await widgetReady(k.page);

  await tabTo(k.page, kw.launcher);
  await k.page.keyboard.press('Enter');
  const entry = kw.dialog(kai);
  await expect(entry).toBeVisible();
  await tabTo(k.page, entry, 30);
  await k.page.keyboard.press('Enter');
  await expect(kw.log.getByText(greeting)).toBeVisible();

  if (!(await hasFocus(kw.composer))) await tabTo(k.page, kw.composer, 30);
  const answer = unique('Yes, typing with the keyboard');
  await k.page.keyboard.type(answer);
  await k.page.keyboard.press('Enter');
  await expect(kw.log.getByText(answer)).toBeVisible();
  await expect(kw.composer).toHaveValue('');

  await k.page.keyboard.press('Escape');
  await expect(kw.log).toBeHidden();
  await expect(kw.composer).toBeHidden();
  await expect(kw.launcher).toBeVisible();

  expect(k.dialogs).toEqual([]);
  await k.context.close();
});
