// The panel's code comes after the launcher (when the browser is idle, or on the first open).
// While it is on its way the launcher says it is busy; when it cannot be fetched, the launcher
// says so in words and the next click fetches it again. Managing groups comes later still, when
// it is first wanted.
import { expect, test } from '@playwright/test';
import type { RecordedEvent } from '../support/bare-page.ts';
import { live, stranger } from '../support/live.ts';

const cases = [
  { lang: 'en', width: 1000, height: 700, open: 'Open chat', close: 'Close chat', failed: 'Could not load. Check your connection.', chats: 'Chats' },
  { lang: 'ru', width: 320, height: 640, open: 'Открыть чат', close: 'Закрыть чат', failed: 'Не удалось загрузить. Проверьте подключение.', chats: 'Чаты' },
];

for (const c of cases) test(`while the panel code loads the launcher is busy; when it cannot load the launcher says so, and the next click opens the panel (${c.lang}, ${c.width} px)`, async ({ browser }) => {
  const s = live();
  const me = stranger(`panel-code-${c.lang}`);
  const context = await browser.newContext({ viewport: { width: c.width, height: c.height } });
  // Everything past the launcher's own chunk is unreachable (the app chunk still loads).
  let blocked = true;
  let held: Promise<void> | null = null;
  let release = () => {};
  await context.route(/\/imbachat\/v1\/assets\/later-[\w-]+\.js$/, async (route) => {
    if (blocked) return route.abort('connectionfailed');
    if (held) await held;
    return route.continue();
  });
  const page = await context.newPage();
  try {
    await page.goto(`${s.demoUrl}/e2e-host/bare/${me.id}?lang=${c.lang}`);
    await expect.poll(() => page.evaluate(() => (window as unknown as { __events: RecordedEvent[] }).__events.some((e) => e.name === 'ready'))).toBe(true);
    const launcher = page.getByRole('button', { name: c.open });
    await launcher.click();
    // The open could not happen: the launcher is closed again and tells why.
    await expect(launcher).toHaveAccessibleDescription(c.failed);
    await expect(launcher).toHaveAttribute('aria-expanded', 'false');
    await expect(launcher).toHaveAttribute('aria-busy', 'false');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath(`panel-code-failed-${c.lang}.png`) });

    // On its way (a slow network): the launcher is busy, with a ring turning around it.
    blocked = false;
    held = new Promise<void>((r) => (release = r));
    await launcher.click();
    await expect(page.getByRole('button', { name: c.close })).toHaveAttribute('aria-busy', 'true');
    await page.screenshot({ path: test.info().outputPath(`panel-code-loading-${c.lang}.png`), clip: { x: c.width - 100, y: c.height - 100, width: 100, height: 100 } });
    release();
    await expect(page.getByRole('dialog', { name: c.chats })).toBeVisible();
    // On a phone the panel covers the screen and the launcher hides behind it.
    const launcherNow = page.getByRole('button', { name: c.close, includeHidden: true });
    await expect(launcherNow).toHaveAttribute('aria-busy', 'false');
    await expect(launcherNow).not.toHaveAccessibleDescription(c.failed);
    await page.screenshot({ path: test.info().outputPath(`panel-code-open-${c.lang}.png`) });
  } finally {
    await context.close();
  }
});

test('managing groups is a chunk of its own: not fetched when the panel opens or the browser is idle, fetched when "New chat" is pointed at', async ({ page }) => {
  const s = live();
  const me = stranger('panel-code-groups');
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (/\/imbachat\/v1\/assets\/groups-[\w-]+\.js$/.test(r.url())) fetched.push(r.url());
  });
  await page.goto(`${s.demoUrl}/e2e-host/bare/${me.id}`);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __events: RecordedEvent[] }).__events.some((e) => e.name === 'ready'))).toBe(true);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect(page.getByRole('dialog', { name: 'Chats' })).toBeVisible();
  // Whatever the panel's code starts when it opens or when the browser is idle has started by now.
  await page.evaluate(() => new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 2000 })));
  expect(fetched).toEqual([]);

  const newChat = page.getByRole('button', { name: 'New chat' });
  const request = page.waitForRequest(/\/imbachat\/v1\/assets\/groups-[\w-]+\.js$/);
  await newChat.hover();
  await request;
  await newChat.click();
  await expect(page.getByRole('dialog', { name: 'New chat' })).toBeVisible();
  // Its own texts came with it (a stranger has no one to pick yet).
  await expect(page.getByText('No one to pick yet: the people you have chats with appear here.')).toBeVisible();
  expect(fetched).toHaveLength(1);
});
