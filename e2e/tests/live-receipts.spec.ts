// Receipts: one tick while only sent, two once it reached the partner's browser, two coloured once
// they read it — turning live in the sender's open dialog, with the labels "Sent", "Delivered", "Read".
import { expect, test } from '@playwright/test';
import { maxi, openDialog, stranger, ui, unique, widgetPage } from '../support/live.ts';

test('ticks go sent → delivered → read live as the partner comes online and opens the dialog', async ({ browser }) => {
  const me = stranger('receipts');
  const u = await widgetPage(browser, me);
  await openDialog(u.page, maxi);
  const text = unique('Did you get this?');
  await ui(u.page).composer.fill(text);
  await ui(u.page).composer.press('Enter');
  const info = ui(u.page).message(text).locator('.info');

  // Maximiliana has no browser open: sent, one tick.
  await expect(info.getByText('Sent', { exact: true })).toBeAttached();
  await expect(info.locator('svg path')).toHaveCount(1);
  await expect(info.getByText('Delivered', { exact: true })).toHaveCount(0);

  // She opens a page with the chat: delivered, two ticks, not coloured.
  const m = await widgetPage(browser, maxi);
  await expect(info.getByText('Delivered', { exact: true })).toBeAttached();
  const deliveredColor = await info.locator('svg').evaluate((el) => getComputedStyle(el).color);
  await expect(info.getByText('Sent', { exact: true })).toHaveCount(0);

  // She opens the dialog: read, in the accent colour.
  await ui(m.page).launcher.click();
  await ui(m.page).dialog(me.name).click();
  await expect(ui(m.page).log.getByText(text)).toBeVisible();
  await expect(info.getByText('Read', { exact: true })).toBeAttached();
  await expect(info.getByText('Delivered', { exact: true })).toHaveCount(0);
  const readColor = await info.locator('svg').evaluate((el) => getComputedStyle(el).color);
  expect(readColor).not.toBe(deliveredColor);

  for (const [name, size] of [['desktop', undefined], ['phone', { width: 375, height: 667 }]] as const) {
    if (size) await u.page.setViewportSize(size);
    await u.page.screenshot({ path: test.info().outputPath(`receipts-${name}.png`) });
  }
  await m.close();
  await u.close();
});
