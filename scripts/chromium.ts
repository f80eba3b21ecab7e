// The system's Chromium, for the browser tests (e2e/playwright.config.ts) and the bench's browser
// scenario alike: CHROMIUM_PATH, else `chromium` / `chromium-browser` on the PATH; never a
// downloaded browser.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The same flags as the browser tests: no sandbox (root in a container), no GPU, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The executable, or why there is none (the scenario is then skipped, not failed). */
export function findChromium(): { path: string } | { missing: string } {
  const given = process.env.CHROMIUM_PATH;
  if (given) return existsSync(given) ? { path: given } : { missing: `CHROMIUM_PATH=${given} does not exist` };
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (path) return { path };
    } catch {
      // try the next name
    }
  }
  return { missing: 'no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)' };
}
