// Finds where this script came from: the server base URL and the widget's dev_id are in its URL,
// …/imbachat/v1/{dev_id}/widget.

const PATH = /^(.*)\/imbachat\/v1\/([^/?#]+)\/widget(?:[?#].*)?$/;

export interface ScriptLocation {
  base: string;
  devId: string;
}

export function parseScriptUrl(src: string): ScriptLocation | null {
  const match = PATH.exec(src);
  if (!match) return null;
  try {
    const url = new URL(match[1] ?? '');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return { base: url.href.replace(/\/$/, ''), devId: decodeURIComponent(match[2] ?? '') };
  } catch {
    return null;
  }
}

export function locateScript(doc: Document): ScriptLocation | null {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement && current.src) {
    const found = parseScriptUrl(current.src);
    if (found) return found;
  }
  // currentScript is null when the tag was injected as a module or run from a callback: look
  // for the tag itself; the last matching one is the one that just ran.
  const scripts = doc.getElementsByTagName('script');
  for (let i = scripts.length - 1; i >= 0; i--) {
    const src = scripts[i]?.src;
    const found = src ? parseScriptUrl(src) : null;
    if (found) return found;
  }
  return null;
}
