// The browser scenario's host site: one page on 127.0.0.1 that embeds the widget the way
// docs/widget.md tells a host to (script tag, then ImbaChat.load with a token signed by its
// backend), with the in-page probe (page-probe.js) and the script tag's start mark before the tag.
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const probe = readFileSync(new URL('./page-probe.js', import.meta.url), 'utf8');

export interface HostPage {
  /** The page's address; its origin is the widget's allowed origin. */
  url: string;
  origin: string;
  /** Sets what the page embeds (the chat server is started after the page, on the page's origin). */
  setEmbed(e: { serverUrl: string; devId: string; userId: number; token: string }): void;
  stop(): Promise<void>;
}

function html(e: { serverUrl: string; devId: string; userId: number; token: string }): string {
  const load = JSON.stringify({ user_id: e.userId, token: e.token }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host page</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; }</style>
<script>${probe}</script>
</head><body>
<h1>A host site</h1>
<p>The page the chat is embedded in: a heading, some text, the script tag at the end of the body.</p>
<script>performance.mark('imbachat-script-tag');</script>
<script src="${e.serverUrl}/imbachat/v1/${e.devId}/widget"></script>
<script>
  function imbachatWidget(opt) {
    if (!window.ImbaChat) return setTimeout(imbachatWidget, 50, opt);
    window.imbaApi.on('ready', window.__bench.onReady);
    window.ImbaChat.load(opt);
  }
  imbachatWidget(${load});
</script>
</body></html>`;
}

export async function startHostPage(): Promise<HostPage> {
  let body: string | null = null;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    if (req.url !== '/' || body === null) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // The page itself is never cached: "cold" and "warm" are about the widget's files only.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    origin,
    setEmbed(e) {
      body = html(e);
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
