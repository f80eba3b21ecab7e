// A host page with a hostile stylesheet does not change how the widget looks: the widget's region
// is screenshotted on a plain page and on the hostile page, in the same run, and compared.
import { type Page, expect, test } from '@playwright/test';
import { signChatToken } from '@imbachat/demo';
import { restAs, stack, unique, widget } from '../support/chat.ts';
import { comparePngs } from '../support/pixels.ts';
import { hana, ivo } from '../support/users.ts';

const HOSTILE_CSS = `
* { all: unset !important; font-size: 40px !important; }
head, script, style, title { display: none !important; }
div { display: flex !important; margin: 17px !important; padding: 11px !important; color: #c00 !important;
      border: 3px dotted #f0f !important; transform: rotate(2deg) !important; line-height: 3 !important; }
button, input, textarea, [role] { all: unset !important; background: #ff0 !important; color: #00f !important;
      border: 7px dashed lime !important; padding: 25px !important; font: italic 40px/2 serif !important;
      width: 300px !important; min-height: 90px !important; border-radius: 0 !important; }
span, p, a, img, svg, ul, li, header, footer, section, ol, time { display: block !important; float: left !important;
      font-family: "Comic Sans MS", fantasy !important; letter-spacing: 5px !important; }
svg, img { width: 200px !important; height: 200px !important; }
*::before, *::after { content: "☠" !important; }
:focus { outline: 6px solid red !important; }
`;

/**
 * Where the widget draws: the union of its visible boxes inside shadow roots, leaving out
 * containers that span the whole viewport (an overlay host draws nothing by itself).
 */
async function widgetRegion(page: Page) {
  return page.evaluate(() => {
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    let box: { x1: number; y1: number; x2: number; y2: number } | null = null;
    const visit = (root: ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) visit(el.shadowRoot);
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (r.width < 1 || r.height < 1 || style.visibility === 'hidden' || style.display === 'contents') continue;
        if (r.width * r.height > 0.9 * vw * vh) continue;
        const x1 = Math.max(0, r.left);
        const y1 = Math.max(0, r.top);
        const x2 = Math.min(vw, r.right);
        const y2 = Math.min(vh, r.bottom);
        if (x2 <= x1 || y2 <= y1) continue;
        box = box ? { x1: Math.min(box.x1, x1), y1: Math.min(box.y1, y1), x2: Math.max(box.x2, x2), y2: Math.max(box.y2, y2) } : { x1, y1, x2, y2 };
      }
    };
    for (const el of document.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot);
    const b = box as { x1: number; y1: number; x2: number; y2: number } | null;
    if (!b) return null;
    const x = Math.floor(b.x1);
    const y = Math.floor(b.y1);
    return { x, y, width: Math.ceil(b.x2) - x, height: Math.ceil(b.y2) - y };
  });
}

test('a hostile host stylesheet leaves the widget looking exactly as on a plain page', async ({ browser }, testInfo) => {
  const { demoUrl, serverUrl, devId, secretKey } = stack();
  // A conversation to show: Ivo wrote, Hana answered and has read everything (no badge changes).
  const ivoApi = await restAs(ivo);
  const hanaApi = await restAs(hana);
  const dialogId = await ivoApi.dialogWith(hana);
  const question = unique('Does the chat survive this page?');
  const answer = unique('It should look the same');
  await ivoApi.send(dialogId, question);
  const last = await hanaApi.send(dialogId, answer);
  await hanaApi.read(dialogId, last.id);

  const token = await signChatToken(secretKey, hana.id, 600);
  const page = (hostile: boolean) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host page</title>
${hostile ? `<style>${HOSTILE_CSS}</style>` : ''}
</head><body>
<div><p>Host text</p><button type="button">Host button</button></div>
<script src="${serverUrl}/imbachat/v1/${devId}/widget"></script>
<script src="/e2e-host/load.js"></script>
</body></html>`;

  const context = await browser.newContext({ viewport: { width: 1280, height: 1200 } });
  const tab = await context.newPage();
  const dialogs: string[] = [];
  tab.on('dialog', (d) => void d.dismiss().then(() => dialogs.push(d.message())));
  await tab.route(`${demoUrl}/e2e-host/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path.endsWith('/load.js')) {
      return route.fulfill({
        contentType: 'text/javascript',
        body: `(function load(){ if (!window.ImbaChat) return setTimeout(load, 20);
          window.imbaApi.on('ready', function(){ window.__ready = true; });
          window.ImbaChat.load(${JSON.stringify({ user_id: hana.id, token })}); })();`,
      });
    }
    return route.fulfill({ contentType: 'text/html; charset=utf-8', body: page(path.endsWith('/hostile')) });
  });

  const w = widget(tab);
  const states = [
    { name: 'closed', show: async () => {} },
    {
      name: 'dialog list',
      show: async () => {
        await tab.evaluate(() => window.imbaApi?.openDialog());
        await expect(w.dialog(ivo)).toBeVisible();
      },
    },
    {
      name: 'dialog',
      show: async () => {
        await tab.evaluate((id) => window.imbaApi?.openDialog(id), ivo.id);
        await expect(w.log.getByText(answer)).toBeVisible();
        await expect(w.log.getByText(question)).toBeVisible();
      },
    },
  ];

  const shots = new Map<string, { region: Awaited<ReturnType<typeof widgetRegion>>; png: Buffer }>();
  for (const variant of ['plain', 'hostile'] as const) {
    await tab.goto(`${demoUrl}/e2e-host/${variant}`);
    await tab.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
    await expect(w.launcher).toBeVisible();
    for (const state of states) {
      await state.show();
      await tab.evaluate(() => document.fonts.ready.then(() => undefined));
      const region = await widgetRegion(tab);
      expect(region, `the widget draws nothing in state "${state.name}"`).not.toBeNull();
      const reference = shots.get(state.name);
      const png = await tab.screenshot({ clip: reference?.region ?? region!, animations: 'disabled', caret: 'hide' });
      await testInfo.attach(`${variant} – ${state.name}.png`, { body: png, contentType: 'image/png' });
      if (!reference) {
        shots.set(state.name, { region, png });
        continue;
      }
      expect(region, `the widget's boxes moved on the hostile page (${state.name})`).toEqual(reference.region);
      const diff = comparePngs(reference.png, png);
      await testInfo.attach(`diff – ${state.name}.png`, { body: diff.png, contentType: 'image/png' });
      expect(diff.ratio, `${diff.differing} of ${diff.width * diff.height} pixels differ (${state.name})`).toBeLessThan(0.005);
    }
  }
  expect(dialogs).toEqual([]);
  await context.close();
});
