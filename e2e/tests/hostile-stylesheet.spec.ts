// A host page with a hostile stylesheet does not change how the widget looks: the widget's region
// is screenshotted on a plain page and on the hostile page, in the same run, and compared.
import { type Page, expect, test } from '@playwright/test';
import { newVisitor, restAs, settle, stack, unique, widget, widgetReady } from '../support/chat.ts';
import { comparePngs } from '../support/pixels.ts';
import { hana, ivo } from '../support/users.ts';

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
  // A conversation to show: Ivo wrote, Hana answered and has read everything (no badge changes).
  const ivoApi = await restAs(ivo);
  const hanaApi = await restAs(hana);
  const dialogId = await ivoApi.dialogWith(hana);
  const question = unique('Does the chat survive this page?');
  const answer = unique('It should look the same');
  await ivoApi.send(dialogId, question);
  const last = await hanaApi.send(dialogId, answer);
  await hanaApi.read(dialogId, last.id);

  const { page: tab, context, dialogs } = await newVisitor(browser, { viewport: { width: 1280, height: 1200 } });
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
    // Each variant starts from a closed panel (the tab would otherwise reopen it as it was left).
    await tab.evaluate(() => sessionStorage.clear()).catch(() => {});
    await tab.goto(`${stack().demoUrl}/e2e-host/${hana.id}?style=${variant}`);
    await widgetReady(tab);
    await expect(w.launcher).toBeVisible();
    for (const state of states) {
      await state.show();
      if (state.name === 'dialog') await testInfo.attach(`${variant} – whole page.png`, { body: await tab.screenshot(), contentType: 'image/png' });
      await settle(tab);
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
