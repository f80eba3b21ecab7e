// A signed-in user the host site's users-info answer leaves out: the chat does not pretend they
// are "User N"; it stops with one plain banner and one `user_not_found` error event.
import { expect, test } from '@playwright/test';
import type { RecordedEvent } from '../support/bare-page.ts';
import { live, nobody } from '../support/live.ts';

for (const [lang, text] of [
  ['en', 'This site has not told the chat who you are.'],
  ['ru', 'Сайт не сообщил чату, кто вы.'],
] as const) {
  test(`a signed-in user the site does not know gets a banner, not a placeholder name (${lang}, 320 px)`, async ({ browser }) => {
    const s = live();
    const id = nobody('unknown');
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    try {
      await page.goto(`${s.demoUrl}/e2e-host/bare/${id}?lang=${lang}`);
      const events = () => page.evaluate(() => (window as unknown as { __events: RecordedEvent[] }).__events);
      await expect.poll(events).toContainEqual({ name: 'error', code: 'user_not_found' });
      const launcher = page.getByRole('button', { name: lang === 'en' ? 'Open chat' : 'Открыть чат' });
      await expect(launcher).toHaveAccessibleDescription(text);
      await launcher.click();
      await expect(page.getByRole('alert')).toHaveText(text);
      await expect(page.getByText(`User ${id}`)).toHaveCount(0);
      await page.screenshot({ path: test.info().outputPath(`unknown-user-${lang}-320.png`) });
      expect(await events()).toEqual([{ name: 'error', code: 'user_not_found' }]);
    } finally {
      await context.close();
    }
  });
}
