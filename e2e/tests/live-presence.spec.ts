// Presence: the partner's "online" and "last seen …" in the dialog header, from members_state when
// the dialog opens and live from presence frames as they come and go.
import { expect, test } from '@playwright/test';
import { rest, stranger, ui, widgetPage, zoe } from '../support/live.ts';

test('Zoë sees her partner online, then "last seen just now" after they leave, and online again when they return', async ({ browser }) => {
  const partner = stranger('presence');
  const p = await widgetPage(browser, partner);
  const mine = await rest(partner);
  await mine.send(await mine.dialogWith(zoe), 'Hi Zoë'); // the dialog shows up in her list with a first message

  const z = await widgetPage(browser, zoe);
  await ui(z.page).launcher.click();
  await ui(z.page).dialog(partner.name).click();
  const header = ui(z.page).header;
  await expect(header.getByText('online', { exact: true })).toBeVisible();
  await z.page.screenshot({ path: test.info().outputPath('presence-online-desktop.png') });

  // The partner's only tab closes: after the short grace period they are offline, seen just now.
  await p.close();
  await expect(header.getByText('last seen just now')).toBeVisible({ timeout: 20_000 });
  await expect(header.getByText('online', { exact: true })).toHaveCount(0);

  // After a reload the dialog is open again and shows the same, from the dialog's members_state.
  await z.reload();
  await expect(z.page.getByRole('dialog', { name: partner.name })).toBeVisible();
  await expect(ui(z.page).header.getByText('last seen just now')).toBeVisible();
  await z.page.setViewportSize({ width: 375, height: 667 });
  await z.page.screenshot({ path: test.info().outputPath('presence-last-seen-phone.png') });

  // They come back: online again, live.
  const back = await widgetPage(browser, partner);
  await expect(ui(z.page).header.getByText('online', { exact: true })).toBeVisible();
  await back.close();
  await z.close();
});
