// The page API as a host site uses it: getToken when the server refuses an expired token, switching
// users with a second ImbaChat.load, and imbaApi's counters, close() and events.
import { expect, test } from '@playwright/test';
import { newVisitor, restAs, stack, unique, widget, widgetReady } from '../support/chat.ts';
import { rex, tia, uma, vic, wes, xan } from '../support/users.ts';

test('an expired token is replaced through the host page getToken, and the chat works', async ({ browser }) => {
  const t = await newVisitor(browser);
  await t.page.goto(`${stack().demoUrl}/e2e-host/${tia.id}?expired=1`);
  await widgetReady(t.page);
  expect(await t.page.evaluate(() => (window as unknown as { __tokenRequests?: number }).__tokenRequests ?? 0)).toBeGreaterThan(0);

  const tw = widget(t.page);
  await t.page.evaluate((id) => window.imbaApi?.openDialog(id), rex.id);
  const text = unique('Sent with a renewed token');
  await tw.composer.fill(text);
  await tw.send.click();
  await expect(tw.log.getByText(text)).toBeVisible();
  expect(t.dialogs).toEqual([]);
  await t.context.close();
});

test('a second ImbaChat.load switches users cleanly; counters, close() and events follow', async ({ browser }) => {
  // Uma has unread messages from Wes only; Vic twice as many from Xan only (on a rerun, more of each).
  const wesApi = await restAs(wes);
  const xanApi = await restAs(xan);
  await wesApi.send(await wesApi.dialogWith(uma), unique('Hello Uma'));
  const xanDialog = await xanApi.dialogWith(vic);
  await xanApi.send(xanDialog, unique('Hello Vic'));
  await xanApi.send(xanDialog, unique('Are you there, Vic?'));

  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const umaUnread = await (await restAs(uma)).unread();
  const vicUnread = await (await restAs(vic)).unread();
  expect(sum(umaUnread)).toBeGreaterThan(0);
  expect(sum(vicUnread)).toBeGreaterThan(sum(umaUnread));

  const v = await newVisitor(browser);
  const page = v.page;
  const w = widget(page);
  await page.goto(`${stack().demoUrl}/e2e-host/${uma.id}`);
  await widgetReady(page);
  await expect.poll(() => page.evaluate(() => window.imbaApi?.countNewMessagesSum())).toBe(sum(umaUnread));
  expect(await page.evaluate((id) => window.imbaApi?.countNewMessages(id), wes.id)).toBe(umaUnread.get(String(wes.id)));
  expect(await page.evaluate((id) => window.imbaApi?.countNewMessages(id), xan.id)).toBe(0);

  // open / close through the page API, observed through on().
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __seen: string[] }).__seen = seen;
    window.imbaApi?.on('open', () => seen.push('open'));
    window.imbaApi?.on('close', () => seen.push('close'));
  });
  await page.evaluate(() => window.imbaApi?.openDialog());
  await expect(w.dialog(wes)).toBeVisible();
  await page.evaluate(() => window.imbaApi?.close());
  await expect(w.dialog(wes)).toBeHidden();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __seen: string[] }).__seen)).toEqual(['open', 'close']);

  // The host logs in as someone else on the same page.
  await page.evaluate(async (id) => {
    const { token } = (await (await fetch(`/e2e-host/${id}/token`)).json()) as { token: string };
    window.ImbaChat?.load({ user_id: id, token });
  }, vic.id);
  await expect.poll(() => page.evaluate(() => window.imbaApi?.countNewMessagesSum())).toBe(sum(vicUnread));
  expect(await page.evaluate((id) => window.imbaApi?.countNewMessages(id), xan.id)).toBe(vicUnread.get(String(xan.id)));
  expect(await page.evaluate((id) => window.imbaApi?.countNewMessages(id), wes.id)).toBe(0);
  await page.evaluate(() => window.imbaApi?.openDialog());
  await expect(w.dialog(xan)).toBeVisible();
  await expect(w.dialog(wes)).toBeHidden();

  expect(v.dialogs).toEqual([]);
  await v.context.close();
});
