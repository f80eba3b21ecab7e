// The panel's code comes after the launcher (when the browser is idle, or on the first open).
// While it is on its way the launcher says it is busy; when it cannot be fetched, the launcher
// says so in words and the next click fetches it again.
import { expect, test } from '@playwright/test';
import type { RecordedEvent } from '../support/bare-page.ts';
import { live, stranger } from '../support/live.ts';

test('while the panel code loads the launcher is busy; when it cannot load the launcher says so, and the next click opens the panel', async ({ browser }) => {
  const s = live();
  const me = stranger('panel-code');
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  // Everything past the launcher's own chunk is unreachable (the app chunk still loads).
  let blocked = true;
  let held: Promise<void> | null = null;
  let release = () => {};
  await context.route(/\/imbachat\/v1\/assets\/(Panel|full|shared)-[\w-]+\.js$/, async (route) => {
    if (blocked) return route.abort('connectionfailed');
    if (held) await held;
    return route.continue();
  });
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

    // On its way (a slow network): the launcher is busy, with a ring turning around it.
    blocked = false;
    held = new Promise<void>((r) => (release = r));
    await launcher.click();
    await expect(page.getByRole('button', { name: 'Close chat' })).toHaveAttribute('aria-busy', 'true');
    await page.screenshot({ path: test.info().outputPath('panel-code-loading.png'), clip: { x: 900, y: 600, width: 100, height: 100 } });
    release();
    await expect(page.getByRole('dialog', { name: 'Chats' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Close chat' })).toHaveAttribute('aria-busy', 'false');
    await expect(page.getByRole('button', { name: 'Close chat' })).not.toHaveAccessibleDescription(/Could not load/);
  } finally {
    await context.close();
  }
});
