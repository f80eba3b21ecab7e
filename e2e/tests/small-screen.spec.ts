// On a phone-sized screen the panel takes the whole screen and stays usable.
import { expect, test } from '@playwright/test';
import { mo, pat } from '../support/users.ts';
import { settle, stack, unique, visit, widget, widgetReady } from '../support/chat.ts';

test('on a 375×667 screen the panel fills the screen and a message can be written and sent', async ({ browser }) => {
  const m = await visit(browser, mo, { viewport: { width: 375, height: 667 }, hasTouch: true });
  const mw = widget(m.page);
  await m.page.goto(`${stack().demoUrl}/users/${pat.id}`);
  await widgetReady(m.page);
  await m.page.getByRole('button', { name: 'Write a message' }).click();
  await expect(mw.composer).toBeVisible();
  await settle(m.page);

  // Everything needed to chat is on screen…
  const boxes = await Promise.all([mw.log, mw.composer, mw.send].map((l) => l.boundingBox()));
  for (const box of boxes) {
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375 + 0.5);
    expect(box!.y + box!.height).toBeLessThanOrEqual(667 + 0.5);
  }
  // …inside a panel that covers the whole screen.
  const panel = await mw.log.evaluate((log) => {
    // Walk up (across the shadow boundary) to the largest fixed-position box that contains the log.
    let el: Element | null = log;
    let best: DOMRect | null = null;
    while (el) {
      const r = el.getBoundingClientRect();
      if (getComputedStyle(el).position === 'fixed' && (!best || r.width * r.height > best.width * best.height)) best = r;
      const root = el.getRootNode();
      el = el.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
    }
    return best && { x: best.x, y: best.y, width: best.width, height: best.height };
  });
  expect(panel).toEqual({ x: 0, y: 0, width: 375, height: 667 });

  const text = unique('Written on a phone');
  await mw.composer.tap();
  await mw.composer.fill(text);
  await mw.send.tap();
  await expect(mw.log.getByText(text)).toBeVisible();
  await expect(mw.send).toBeInViewport();

  expect(m.dialogs).toEqual([]);
  await m.context.close();
});
