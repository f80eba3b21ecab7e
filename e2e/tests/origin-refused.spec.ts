// A page on an origin the widget does not list: one plain banner that says the chat is not enabled
// for this site, a launcher that shows it is unavailable, and one `error` event, not a cascade of
// "network" failures.
import { serveApp, signChatToken } from '@imbachat/demo';
import { expect, test } from '@playwright/test';
import { Hono } from 'hono';
import { type RecordedEvent, barePage } from '../support/bare-page.ts';
import { live, stranger } from '../support/live.ts';

for (const lang of ['en', 'ru'] as const) {
  test(`a page on an origin that is not allowed gets one banner and one error event (${lang})`, async ({ browser }) => {
    const s = live();
    const me = stranger('origin');
    const token = await signChatToken(s.secretKey, me.id, 600);
    // Another port is another origin: a real host page the widget's allowed_origins do not list.
    const app = new Hono().get('/', (c) => c.html(barePage({ serverUrl: s.serverUrl, devId: s.devId, lang, load: { user_id: me.id, token } })));
    const site = await serveApp(app, { port: 0 });
    const context = await browser.newContext({ viewport: { width: 375, height: 700 } });
    const page = await context.newPage();
    try {
      await page.goto(site.url);
      const events = () => page.evaluate(() => (window as unknown as { __events: RecordedEvent[] }).__events);
      await expect.poll(events).toContainEqual({ name: 'error', code: 'origin_not_allowed' });
      const launcher = page.getByRole('button', { name: lang === 'en' ? 'Open chat' : 'Открыть чат' });
      await expect(launcher).toHaveAccessibleDescription(
        lang === 'en' ? 'This chat is not enabled for this site.' : /.+/,
      );
      await page.screenshot({ path: test.info().outputPath(`origin-refused-closed-${lang}.png`) });
      await launcher.click();
      const alerts = page.getByRole('alert');
      await expect(alerts).toHaveCount(1);
      if (lang === 'en') await expect(alerts).toHaveText('This chat is not enabled for this site.');
      await expect(page.getByText(lang === 'en' ? 'Could not reach the chat server.' : 'Нет связи с сервером чата.')).toHaveCount(0);
      await page.screenshot({ path: test.info().outputPath(`origin-refused-open-${lang}.png`) });
      // Whatever else the widget tried, it reported the one cause once.
      expect(await events()).toEqual([{ name: 'error', code: 'origin_not_allowed' }]);
    } finally {
      await context.close();
      await site.close();
    }
  });
}
