// Notices in the dialog list say what went wrong and can be dismissed: an unknown person, and a
// "Write a message" button on one's own profile — in each UI language, at 320 px.
import { expect, test } from '@playwright/test';
import { nobody, widgetPage, zoe } from '../support/live.ts';
import { settle } from '../support/chat.ts';

for (const [lang, texts] of [
  ['en', { self: 'You cannot write to yourself.', unknown: 'This person could not be found.', dismiss: 'Dismiss' }],
  ['ru', { self: 'Нельзя написать самому себе.', unknown: null, dismiss: 'Закрыть' }],
] as const) {
  test(`a notice for writing to oneself or to an unknown person shows and can be dismissed (${lang}, 320 px)`, async ({ browser }) => {
    const tab = await widgetPage(browser, zoe, { load: { lang }, viewport: { width: 320, height: 640 } });
    await tab.page.evaluate((id) => window.imbaApi?.openDialog(id), zoe.id);
    const notice = tab.page.getByRole('alert').filter({ hasText: texts.self });
    await expect(notice).toBeVisible();
    await settle(tab.page);
    await tab.page.screenshot({ path: test.info().outputPath(`notice-self-${lang}-320.png`) });
    await notice.getByRole('button', { name: texts.dismiss }).click();
    await expect(notice).toHaveCount(0);
    if (texts.unknown) {
      await tab.page.evaluate((id) => window.imbaApi?.openDialog(id), nobody('nobody'));
      const unknown = tab.page.getByRole('alert').filter({ hasText: texts.unknown });
      await expect(unknown).toBeVisible();
      await unknown.getByRole('button', { name: texts.dismiss }).click();
      await expect(unknown).toHaveCount(0);
    }
    await tab.close();
  });
}
