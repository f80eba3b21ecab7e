// The widget's styles go into its shadow root as constructable stylesheets (adoptedStyleSheets):
// a page with a strict Content-Security-Policy (no 'unsafe-inline') refuses <style> elements but
// not these. Browsers without them get <style> elements, as before.
const roots: ShadowRoot[] = [];
const added: string[] = [];

/** Styles every mounted root (and every root mounted later) with this CSS, once. */
export function addStyles(css: string): void {
  if (added.includes(css)) return;
  added.push(css);
  for (const root of roots) apply(root, css);
}

export function styleRoot(root: ShadowRoot): () => void {
  roots.push(root);
  for (const css of added) apply(root, css);
  return () => void roots.splice(roots.indexOf(root), 1);
}

function apply(root: ShadowRoot, css: string): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } else {
    const style = root.ownerDocument.createElement('style');
    style.textContent = css;
    // In the order added, before the content: later sheets win as they do when adopted.
    const last = [...root.querySelectorAll(':scope > style')].pop();
    if (last) last.after(style);
    else root.prepend(style);
  }
}
