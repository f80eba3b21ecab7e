// The panel's code comes after the launcher (when the browser is idle, or on the first open).
// While it is on its way the launcher says it is busy; when it cannot be fetched, the launcher
// says so in words and the next click fetches it again.
import { expect, test } from '@playwright/test';
import type { RecordedEvent } from '../support/bare-page.ts';
import { live, stranger } from '../support/live.ts';

test('the panel code failing to load leaves a launcher that says so, and the next click opens the panel', async ({ browser }) => {
  const s = live();
  const me = stranger('panel-code');
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  // Everything past the launcher's own chunk is unreachable (the app chunk still loads).
  let blocked = true;
  await context.route(/\/imbachat\/v1\/assets\/(Panel|full|shared)-[\w-]+\.js$/, (route) => (blocked ? route.abort('connectionfailed') : route.continue()));
  const page = await context.newPage();
  try {
    await page.goto(`${s.demoUrl}/e2e-host/bare/${me.id}`);
    await expect.poll(() => page.evaluate(() => (window as unknown as { __events: RecordedEvent[] }).__events.some((e) => e.name === 'ready'))).toBe(true);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.click();
    // The open could not happen: the launcher is closed again and tells why.
    await expect(launcher).toHaveAccessibleDescription('Could not load. Check your connection.');
    await expect(launcher).toHaveAttribute('aria-expanded', 'false');
    await expect(launcher).toHaveAttribute('aria-busy', 'false');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath('panel-code-failed.png') });

    blocked = false;
    await launcher.click();
    await expect(page.getByRole('dialog', { name: 'Chats' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Close chat' })).not.toHaveAccessibleDescription(/Could not load/);
  } finally {
    await context.close();
  }
});
