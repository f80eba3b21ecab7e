// Browser tests: the real widget, served by the real server, on the real demo host site, in the
// system's Chromium (never a downloaded browser).
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.ts';

function chromiumPath(): string {
  const found = findChromium();
  if ('missing' in found) throw new Error(`${found.missing}.`);
  return found.path;
}

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  // Two cores: two workers, each driving up to two browser contexts against one server.
  workers: 2,
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    },
  },
});
