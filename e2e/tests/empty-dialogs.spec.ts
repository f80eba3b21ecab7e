// Merely opening a chat leaves nothing behind in the list once it is left; a draft keeps it there.
import { expect, test } from '@playwright/test';
import { maxi, openDialog, stranger, ui, widgetPage } from '../support/live.ts';

test('an opened but empty dialog leaves the list when it is left, unless a draft waits in it', async ({ browser }) => {
  const me = stranger('opener');
  const tab = await widgetPage(browser, me);
  const w = ui(tab.page);
  const back = tab.page.getByRole('button', { name: 'Back to chats' });
  await openDialog(tab.page, maxi);
  await back.click();
  await expect(tab.page.getByText('No conversations yet')).toBeVisible();
  await expect(w.dialog(maxi.name)).toHaveCount(0);
  await openDialog(tab.page, maxi);
  await w.composer.fill('A thought for later');
  await back.click();
  await expect(w.dialog(maxi.name)).toBeVisible();
  await tab.close();
});
