// The message limit is shown while typing and enforced before sending, never after.
import { expect, test } from '@playwright/test';
import { maxi, openDialog, rest, stranger, ui, widgetPage } from '../support/live.ts';
import { settle } from '../support/chat.ts';

test('an over-long message shows how much is too many and cannot be sent; trimmed, it can', async ({ browser }) => {
  const me = stranger('limit');
  const tab = await widgetPage(browser, me, { viewport: { width: 320, height: 640 } });
  const w = ui(tab.page);
  await openDialog(tab.page, maxi);
  const send = tab.page.getByRole('button', { name: 'Send' });
  await w.composer.fill('x'.repeat(4001));
  await expect(tab.page.getByText('1 too many')).toBeVisible();
  await expect(send).toBeDisabled();
  await w.composer.press('Enter');
  await settle(tab.page);
  await tab.page.screenshot({ path: test.info().outputPath('limit-over-320.png') });
  await w.composer.fill('y'.repeat(3990));
  await expect(tab.page.getByText('10 left')).toBeVisible();
  await expect(send).toBeEnabled();
  await send.click();
  const mine = await rest(me);
  const dialogId = await mine.dialogWith(maxi);
  await expect.poll(async () => (await mine.messages(dialogId)).items.map((m) => m.text.length)).toEqual([3990]);
  await tab.close();
});
