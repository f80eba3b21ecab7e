// Test-only pages on the demo site's origin (an allowed origin of the e2e widget): a bare host page
// that embeds the widget for a given member, optionally under a hostile stylesheet or with the
// script tag pointing at another server address (the test's proxy).
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type DemoUser, signChatToken } from '@imbachat/demo';

/** `* { all: unset }` and friends: a host page that styles every element it can reach. */
export const HOSTILE_CSS = `
* { all: unset !important; font-size: 40px !important; }
head, script, style, title { display: none !important; }
div { display: flex !important; margin: 17px !important; padding: 11px !important; color: #c00 !important;
      border: 3px dotted #f0f !important; transform: rotate(2deg) !important; line-height: 3 !important; }
button, input, textarea, [role] { all: unset !important; background: #ff0 !important; color: #00f !important;
      border: 7px dashed lime !important; padding: 25px !important; font: italic 40px/2 serif !important;
      width: 300px !important; min-height: 90px !important; border-radius: 0 !important; }
span, p, a, img, svg, ul, li, header, footer, section, ol, time { display: block !important; float: left !important;
      font-family: "Comic Sans MS", fantasy !important; letter-spacing: 5px !important; }
svg, img { width: 200px !important; height: 200px !important; }
*::before, *::after { content: "☠" !important; }
:focus { outline: 6px solid red !important; }
`;

export interface HostPageOptions {
  serverUrl: string;
  devId: string;
  secretKey: string;
  users: readonly DemoUser[];
}

export function hostPages(o: HostPageOptions): Hono {
  const app = new Hono();
  // A fresh token for that member, what a host backend's token endpoint would answer.
  app.get('/:userId/token', async (c) => {
    const user = o.users.find((u) => String(u.id) === c.req.param('userId'));
    if (!user) return c.json({ error: 'no such user' }, 404);
    c.header('Cache-Control', 'no-store');
    return c.json({ token: await signChatToken(o.secretKey, user.id, 600) });
  });

  // GET /e2e-host/{user_id}?style=hostile&server=http://127.0.0.1:PORT&expired=1
  // `expired` hands the widget a token that expired an hour ago, plus a getToken that fetches a fresh one.
  app.get('/:userId', async (c) => {
    const user = o.users.find((u) => String(u.id) === c.req.param('userId'));
    if (!user) return c.text('no such user', 404);
    const server = c.req.query('server') ?? o.serverUrl;
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(server)) return c.text('server must be a loopback URL', 400);
    const hostile = c.req.query('style') === 'hostile';
    const expired = c.req.query('expired') === '1';
    const token = await signChatToken(o.secretKey, user.id, expired ? -3600 : 600);
    const load = JSON.stringify({ user_id: user.id, token }).replace(/</g, '\\u003c');
    const tokenUrl = JSON.stringify(`/e2e-host/${user.id}/token`);
    return c.html(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host page</title>
${hostile ? html`<style>${raw(HOSTILE_CSS)}</style>` : ''}
</head><body>
<div><p>Host text</p><button type="button">Host button</button></div>
<script src="${server}/imbachat/v1/${o.devId}/widget"></script>
<script>
  (function load() {
    if (!window.ImbaChat) return setTimeout(load, 20);
    var options = ${raw(load)};
    options.getToken = function () {
      window.__tokenRequests = (window.__tokenRequests || 0) + 1;
      return fetch(${raw(tokenUrl)}).then(function (r) { return r.json(); }).then(function (j) { return j.token; });
    };
    window.ImbaChat.load(options);
  })();
</script>
</body></html>`);
  });
  return app;
}
