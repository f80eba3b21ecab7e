// axe-core over the widget's shadow root, as tests/accessibility.spec.ts runs it, for specs that
// audit states of their own (the attachments' tray, cards and viewer). label-content-name-mismatch
// is read the same way: a control's visible text must be in its name or its description.
import AxeBuilder from '@axe-core/playwright';
import { type Page, expect } from '@playwright/test';

async function inNameOrDescription(page: Page, selector: string): Promise<string[]> {
  return page.locator('imbachat-widget').evaluate((host, sel) => {
    const root = host.shadowRoot!;
    const el = root.querySelector(sel)!;
    const name = (el.getAttribute('aria-label') ?? '').trim();
    const description = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).map((id) => root.getElementById(id)?.textContent ?? '').join(' ');
    const missing: string[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      if (text && !name.includes(text) && !description.includes(text) && !n.parentElement?.closest('.avatar-wrap, .sr-only')) missing.push(text);
    }
    return name ? missing : ['(no aria-label)'];
  }, selector);
}

/** Expects no axe violation in the widget (the host page is not ours). */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).include('imbachat-widget').analyze();
  // It must have looked inside the shadow root, or "no violations" would mean nothing.
  expect(results.passes.some((rule) => rule.nodes.some((n) => Array.isArray(n.target[0]))), `${what}: axe did not reach the shadow root`).toBe(true);
  const found: string[] = [];
  for (const v of results.violations)
    for (const n of v.nodes) {
      const target = n.target[0];
      if (v.id === 'label-content-name-mismatch' && Array.isArray(target) && target.length === 2 && (await inNameOrDescription(page, String(target[1]))).length === 0) continue;
      found.push(`${v.id}: ${JSON.stringify(n.target)}: ${n.failureSummary?.replace(/\s+/g, ' ')}`);
    }
  expect.soft(found, `${what}: axe violations`).toEqual([]);
}
