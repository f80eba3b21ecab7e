// The widget signed in as anyone, in any language, on the harness's bare host page (a real page on
// the demo site's allowed origin), on a desktop window or an emulated phone (mobile viewport, touch,
// 2× pixels) that lays the page out at the phone's width.
import { type Browser, type BrowserContext, type Page, expect } from '@playwright/test';
import type { RecordedEvent } from './bare-page.ts';
import { stack } from './chat.ts';

export interface EmbedOptions {
  /** The widget's `lang` load option (and the page's <html lang>). */
  lang?: string;
  width?: number;
  height?: number;
  /** Emulate a phone rather than a desktop window. */
  phone?: boolean;
}

export interface Embed {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A phone lays out at 980 px unless the page asks for the device width, as host sites do. */
function addViewportMeta(): void {
  document.addEventListener('DOMContentLoaded', () => {
    if (document.querySelector('meta[name="viewport"]')) return;
    const meta = document.createElement('meta');
    meta.name = 'viewport';
    meta.content = 'width=device-width, initial-scale=1';
    document.head.append(meta);
  });
}

/** A browser context whose host page's widget is signed in as `person`; resolves once it is ready. */
export async function embed(browser: Browser, person: { id: string | number }, o: EmbedOptions = {}): Promise<Embed> {
  const viewport = { width: o.width ?? 1280, height: o.height ?? 800 };
  const context = await browser.newContext(
    o.phone ? { viewport, screen: viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport },
  );
  if (o.phone) await context.addInitScript(addViewportMeta);
  const page = await context.newPage();
  await page.goto(`${stack().demoUrl}/e2e-host/bare/${encodeURIComponent(String(person.id))}?lang=${encodeURIComponent(o.lang ?? 'en')}`);
  const ready = () => page.evaluate(() => (window as unknown as { __events: RecordedEvent[] }).__events.some((e) => e.name === 'ready'));
  await expect.poll(ready).toBe(true);
  if (o.phone) expect(await page.evaluate(() => window.innerWidth)).toBe(viewport.width);
  return { context, page, close: () => context.close() };
}
