// History: opening a dialog jumps to the first unread message under a "New messages" line (loading
// back as far as needed); scrolling up loads older pages by cursor and the reading position stays put.
import { expect, test } from '@playwright/test';
import { openDialog, rest, stranger, ui, widgetPage, zoe } from '../support/live.ts';

test('opens at the "New messages" line, loads older messages on scroll without moving what is on screen', async ({ browser }) => {
  const me = stranger('history');
  const mine = await rest(me);
  const dialogId = await mine.dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const label = (n: number) => `History ${me.id} #${String(n).padStart(3, '0')}`;
  const sent: { id: number }[] = [];
  for (let n = 1; n <= 130; n++) sent.push(await zoeApi.send(dialogId, label(n)));
  // Read up to #40: 90 unread, so #41 is two pages back from the newest.
  await mine.read(dialogId, sent[39]!.id);

  const u = await widgetPage(browser, me);
  const w = ui(u.page);
  await openDialog(u.page, zoe);
  const marker = w.log.getByRole('separator', { name: 'New messages' });
  await expect(marker).toBeInViewport();
  await expect(w.message(label(41))).toBeInViewport();
  await expect(w.message(label(130))).not.toBeInViewport();
  // The line sits right above the first unread message.
  expect(await marker.evaluate((el) => el.nextElementSibling?.textContent ?? '')).toContain(label(41));
  await expect(w.message(label(40))).toBeAttached();
  await u.page.screenshot({ path: test.info().outputPath('new-messages-marker-desktop.png') });

  // Scroll to the top: the next older page (before the oldest loaded seq) is fetched; hold it to
  // measure where the oldest loaded message sits before and after it lands.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  let asked: (url: string) => void = () => {};
  const request = new Promise<string>((r) => (asked = r));
  await u.context.route(/\/messages\?.*before=/, async (route) => {
    asked(route.request().url());
    await held;
    await route.continue();
  });
  const oldest = await w.log.locator('.msg').first().textContent();
  expect(oldest).toContain('#');
  const anchor = w.message(oldest!.slice(0, oldest!.indexOf('#') + 4));
  await w.log.evaluate((el) => (el.scrollTop = 0));
  expect(await request).toMatch(/before=\d+/);
  const y0 = (await anchor.boundingBox())!.y;
  release();
  await expect(w.message(label(1))).toBeAttached();
  const y1 = (await anchor.boundingBox())!.y;
  expect(Math.abs(y1 - y0)).toBeLessThanOrEqual(1);
  await expect(w.log.locator('.msg')).toHaveCount(130);

  await u.page.setViewportSize({ width: 375, height: 667 });
  await u.reload();
  await openDialog(u.page, zoe);
  await expect(w.message(label(130))).toBeInViewport(); // all read now: opens at the newest
  await expect(marker).toHaveCount(0);
  await u.close();
});

test('the "New messages" line at a phone size', async ({ browser }) => {
  const me = stranger('marker');
  const mine = await rest(me);
  const dialogId = await mine.dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const first = await mine.send(dialogId, 'Are we still on for Saturday?');
  void first;
  await zoeApi.send(dialogId, 'Yes! 10 am at the harbour.');
  const u = await widgetPage(browser, me, { viewport: { width: 375, height: 667 } });
  await zoeApi.send(dialogId, 'Bring a warm coat, it gets windy.');
  await openDialog(u.page, zoe);
  const marker = ui(u.page).log.getByRole('separator', { name: 'New messages' });
  await expect(marker).toBeVisible();
  expect(await marker.evaluate((el) => el.nextElementSibling?.textContent ?? '')).toContain('Yes! 10 am');
  await u.page.screenshot({ path: test.info().outputPath('new-messages-marker-phone.png') });
  await u.close();
});
