// The message limit is shown while typing and enforced before sending, never after.
import { expect, test } from '@playwright/test';
import { live, maxi, openDialog, rest, stranger, ui, widgetPage } from '../support/live.ts';
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

for (const [lang, l] of [
  ['en', { tooLong: 'The message is too long.', edit: 'Edit', del: 'Delete', retry: 'Retry', over: '1 too many', box: 'Message' }],
  ['ru', { tooLong: 'Сообщение слишком длинное.', edit: 'Изменить', del: 'Удалить', retry: 'Повторить', over: 'Лишних символов: 1', box: 'Сообщение' }],
] as const) {
  test(`a message the server refused can be edited or deleted, and offers no Retry that cannot succeed (${lang}, 320 px)`, async ({ browser }) => {
    const me = stranger('refused');
    const tab = await widgetPage(browser, me, { load: { lang }, viewport: { width: 320, height: 640 } });
    const w = { log: tab.page.getByRole('log'), composer: tab.page.getByRole('textbox', { name: l.box }) };
    await tab.page.evaluate((id) => window.imbaApi?.openDialog(id), maxi.id);
    await expect(w.composer).toBeVisible();
    const dialogId = await (await rest(me)).dialogWith(maxi);
    // Two over-long messages left in the tab's outbox (as an older widget, or another tab of a
    // page, could leave them): after a reload the widget sends them and the real server refuses.
    const key = `imbachat:outbox:${live().devId}:${me.id}`;
    await tab.page.evaluate(
      ({ key, dialogId }) => {
        const at = new Date().toISOString();
        const m = (n: number, text: string) => ({ dialog_id: dialogId, text, client_msg_id: `00000000-0000-4000-8000-00000000000${n}`, created_at: at });
        sessionStorage.setItem(key, JSON.stringify([m(1, 'a'.repeat(4001)), m(2, 'b'.repeat(4002))]));
      },
      { key, dialogId },
    );
    await tab.reload();
    const failed = w.log.locator('.msg.failed');
    await expect(failed).toHaveCount(2);
    await expect(failed.first()).toContainText(l.tooLong);
    await expect(failed.first().getByRole('button', { name: l.retry })).toHaveCount(0);
    await settle(tab.page);
    await tab.page.screenshot({ path: test.info().outputPath(`refused-${lang}-320.png`) });

    // Refused messages survive a reload: what the person wrote is never dropped silently.
    await tab.reload();
    await expect(failed).toHaveCount(2);

    // Edit: the text goes back into the composer, with the limit shown, and the bubble goes.
    await failed.first().getByRole('button', { name: l.edit }).click();
    await expect(failed).toHaveCount(1);
    await expect(w.composer).toHaveValue('a'.repeat(4001));
    await expect(w.composer).toBeFocused();
    await expect(tab.page.getByText(l.over)).toBeVisible();
    await w.composer.press('End');
    await w.composer.press('Backspace');
    await w.composer.press('Enter');
    // Delete: the other is gone, and stays gone after a reload.
    await failed.first().getByRole('button', { name: l.del }).click();
    await expect(failed).toHaveCount(0);
    const mine = await rest(me);
    await expect.poll(async () => (await mine.messages(dialogId)).items.map((m) => m.text)).toEqual(['a'.repeat(4000)]);
    await tab.reload();
    await expect(w.log.getByText('a'.repeat(4000))).toBeVisible();
    await expect(failed).toHaveCount(0);
    await tab.close();
  });
}
