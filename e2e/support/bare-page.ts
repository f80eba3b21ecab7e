// A minimal host page that embeds the widget with given load options and records its `ready` and
// `error` events in window.__events (for tests of what happens before the chat is ready).
export function barePage(o: { serverUrl: string; devId: string; lang: string; load: Record<string, unknown> }): string {
  return `<!doctype html><html lang="${o.lang}"><head><meta charset="utf-8"><title>Host page</title></head><body>
<p>Another site</p>
<script>window.__events = [];</script>
<script src="${o.serverUrl}/imbachat/v1/${o.devId}/widget"></script>
<script>
  (function load() {
    if (!window.ImbaChat || !window.imbaApi) return setTimeout(load, 20);
    for (const name of ['ready', 'error']) window.imbaApi.on(name, (p) => window.__events.push({ name, code: p && p.code }));
    window.ImbaChat.load(${JSON.stringify({ ...o.load, lang: o.lang }).replace(/</g, '\\u003c')});
  })();
</script></body></html>`;
}

export type RecordedEvent = { name: string; code?: string };
