// A host page with a strict, nonce-based Content-Security-Policy (no 'unsafe-inline'): the
// widget is styled (its stylesheets are adopted, not inline <style> elements), the launcher
// floats in its corner, the panel is drawn, sending works, and no violation is reported.
import { expect, test } from '@playwright/test';
import { live, maxi, rest, stranger, unique } from '../support/live.ts';

test('on a page with a strict nonce-based CSP the widget is styled, works and causes no violation', async ({ browser }) => {
  const s = live();
  const me = stranger('csp');
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const cspMessages: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspMessages.push(m.text());
  });
  try {
    await page.goto(`${s.demoUrl}/e2e-host/csp/${me.id}`);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await expect(launcher).toBeVisible();
    // Styled: a round button of its own size, floating in the bottom-right corner.
    const box = (await launcher.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(48);
    expect(Math.abs(box.width - box.height)).toBeLessThan(2);
    expect(1000 - (box.x + box.width)).toBeLessThan(40);
    expect(700 - (box.y + box.height)).toBeLessThan(40);

    await page.evaluate((id) => window.imbaApi?.openDialog(id), maxi.id);
    const panel = page.getByRole('dialog', { name: maxi.name });
    await expect(panel).toBeVisible();
    const look = await panel.evaluate((el) => {
      const cs = getComputedStyle(el);
      return { position: cs.position, background: cs.backgroundColor, width: el.getBoundingClientRect().width };
    });
    expect(look.position).toBe('fixed');
    expect(look.background).not.toBe('rgba(0, 0, 0, 0)');
    expect(look.width).toBeLessThan(500);
    const icon = (await panel.locator('button svg').first().boundingBox())!;
    expect(icon.width).toBeLessThanOrEqual(32);

    const text = unique('under a strict policy');
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill(text);
    await composer.press('Enter');
    await expect(page.getByRole('log').getByText(text)).toBeVisible();
    const mine = await rest(me);
    const dialogId = await mine.dialogWith(maxi);
    await expect.poll(async () => (await mine.messages(dialogId)).items.map((m) => m.text)).toContain(text);
    await page.screenshot({ path: test.info().outputPath('strict-csp.png') });

    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(cspMessages).toEqual([]);
  } finally {
    await context.close();
  }
});
