// Layout checks on the widget as drawn: texts that are cut, and where a name's text starts.
import type { Locator, Page } from '@playwright/test';

/**
 * Texts of the widget that are cut: an element whose own text overflows a box that clips it (its
 * own ellipsis or line clamp, or a clipping ancestor such as the panel), and any scroll container
 * that scrolls sideways. Text inside dir="auto" or <bdi> (names, message text) may be cut.
 */
export function cutTexts(page: Page): Promise<string[]> {
  return page.locator('imbachat-widget').evaluate((host) => {
    const root = host.shadowRoot!;
    const out: string[] = [];
    const clips = (s: CSSStyleDeclaration) => s.overflowX !== 'visible' || s.overflowY !== 'visible';
    const scrolls = (s: CSSStyleDeclaration) => /auto|scroll/.test(s.overflowX + s.overflowY);
    for (const el of root.querySelectorAll<HTMLElement>('*')) {
      const style = getComputedStyle(el);
      if (scrolls(style) && el.scrollWidth > el.clientWidth + 1) out.push(`scrolls sideways: .${el.className}`);
      const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()).map((n) => n.textContent!.trim()).join(' ');
      if (!own || el.closest('[dir="auto"], bdi, .sr-only')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || style.visibility === 'hidden') continue;
      if (clips(style) && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
        out.push(`"${own}" is cut by its own box (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`);
        continue;
      }
      // A clipping ancestor that does not scroll (the panel, an ellipsis box) must hold the whole
      // text; inside a scroll container (a long member list), what is out of view is scrolled to,
      // not cut (the container itself must not scroll sideways, above).
      for (let a = el.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (scrolls(s)) break;
        if (!clips(s)) continue;
        const r = a.getBoundingClientRect();
        if (box.left < r.left - 1 || box.right > r.right + 1 || box.top < r.top - 1 || box.bottom > r.bottom + 1) {
          out.push(`"${own}" sticks out of .${a.className}`);
          break;
        }
      }
      if (box.left < -1 || box.right > innerWidth + 1) out.push(`"${own}" is off screen`);
    }
    return out;
  });
}

/** Gap (px) between the avatar's inline end and where the text of `text` begins, in the panel's direction. */
export async function gapToAvatar(avatar: Locator, text: Locator): Promise<number> {
  const avatarHandle = await avatar.elementHandle();
  return text.evaluate((el, avatarEl) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const t = range.getBoundingClientRect();
    const a = (avatarEl as Element).getBoundingClientRect();
    const rtl = getComputedStyle(el.parentElement!).direction === 'rtl';
    return Math.round(rtl ? a.left - t.right : t.left - a.right);
  }, avatarHandle);
}
