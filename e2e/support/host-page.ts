// Test-only pages on the demo site's origin (an allowed origin of the e2e widget): a bare host page
// that embeds the widget for a given member, optionally under a hostile stylesheet or with the
// script tag pointing at another server address (the test's proxy).
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type DemoUser, signChatToken } from '@imbachat/demo';
import { barePage } from './bare-page.ts';

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
  /** The demo site, whose users-info answer the guests are added to. */
  site: Hono;
}

/** Ids the host knows without listing them: each test's own people (support/live.ts `guest`). */
export const GUEST_PREFIX = 'guest-';

export function hostPages(o: HostPageOptions): Hono {
  const app = new Hono();
  // The widget's users-info URL: the demo site's answer (same Basic auth, same members) plus one
  // entry per asked-for guest id, so a test can have people no other test shares.
  app.get('/users-info', async (c) => {
    const url = new URL(c.req.url);
    const res = await o.site.request(`${url.origin}/api/users-info${url.search}`, { headers: c.req.raw.headers });
    if (!res.ok) return res;
    const members = (await res.json()) as unknown[];
    const ids = (c.req.query('user_ids') ?? '').split(',').map((s) => s.trim());
    const guests = ids.filter((id) => id.startsWith(GUEST_PREFIX)).map((id) => ({ user_id: id, name: guestName(id) }));
    c.header('Cache-Control', 'no-store');
    return c.json([...members, ...guests]);
  });

  // A fresh token for that member, what a host backend's token endpoint would answer.
  app.get('/:userId/token', async (c) => {
    const user = o.users.find((u) => String(u.id) === c.req.param('userId'));
    if (!user) return c.json({ error: 'no such user' }, 404);
    c.header('Cache-Control', 'no-store');
    return c.json({ token: await signChatToken(o.secretKey, user.id, 600) });
  });

  // GET /e2e-host/bare/{any user id}?lang=ru: a minimal page signed in as anyone, known or not,
  // that records the widget's ready and error events (support/bare-page.ts).
  app.get('/bare/:userId', async (c) => {
    const userId = c.req.param('userId');
    const token = await signChatToken(o.secretKey, userId, 600);
    return c.html(barePage({ serverUrl: o.serverUrl, devId: o.devId, lang: c.req.query('lang') ?? 'en', load: { user_id: userId, token } }));
  });

  // GET /e2e-host/csp/{any user id}: a page under a strict, nonce-based Content-Security-Policy
  // (no 'unsafe-inline' anywhere): the policy docs/widget.md tells hosts to send.
  app.get('/csp/:userId', async (c) => {
    const userId = c.req.param('userId');
    const token = await signChatToken(o.secretKey, userId, 600);
    const nonce = randomBytes(16).toString('base64');
    const ws = o.serverUrl.replace(/^http/, 'ws');
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}' ${o.serverUrl}; connect-src ${o.serverUrl} ${ws}; img-src 'self' ${o.serverUrl}; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`,
    );
    const load = JSON.stringify({ user_id: userId, token }).replace(/</g, '\\u003c');
    return c.html(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strict page</title>
<style nonce="${nonce}">body { font: 16px/1.4 serif; margin: 2rem; }</style>
</head><body>
<p>A page that allows no inline styles or scripts but its own.</p>
<script nonce="${nonce}" src="${o.serverUrl}/imbachat/v1/${o.devId}/widget"></script>
<script nonce="${nonce}">
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  (function load() {
    if (!window.ImbaChat) return setTimeout(load, 20);
    window.ImbaChat.load(${raw(load)});
  })();
</script>
</body></html>`);
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

/** "guest-typing-1a2b3c4d" is called "Guest typing-1a2b3c4d". */
export function guestName(id: string): string {
  return `Guest ${id.slice(GUEST_PREFIX.length)}`;
}
