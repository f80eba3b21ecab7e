// The demo host site: a cookie login, member pages that embed the chat, the token endpoint the
// widget's getToken calls, and the users-info endpoint the chat server calls behind Basic auth.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { SignJWT } from 'jose';
import { type EmbedOptions, FAVICON, SITE_JS, avatarPath, loginPage, membersPage, notFoundPage, profilePage } from './pages.ts';
import { SITE_CSS } from './style.ts';
import { DEMO_USERS, type DemoUser, avatarSvg, findUser } from './users.ts';

export interface DemoSiteOptions {
  /** The chat server's origin as the browser reaches it (the script tag's src). */
  serverUrl: string;
  devId: string;
  /** The widget's secret key; tokens are HS256 over its UTF-8 bytes. */
  secretKey: string;
  /** What the chat server sends in Basic auth when it asks for users info. */
  apiLogin: string;
  apiPassword: string;
  /** This site's own origin as browsers see it, for avatar and profile URLs; defaults to the request's. */
  publicUrl?: string;
  users?: readonly DemoUser[];
  /** Lifetime of the tokens handed to the widget. */
  tokenTtlSeconds?: number;
  /** Signs the login cookie; a random one per process when absent (a restart logs everyone out). */
  sessionSecret?: string;
}

const SESSION_COOKIE = 'corner_club_session';

/** The token the product's docs describe: HS256 over `{user_id, exp}` with the widget secret's UTF-8 bytes. */
export async function signChatToken(secretKey: string, userId: number | string, ttlSeconds = 3600): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  return new SignJWT({ user_id: userId, exp })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secretKey));
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parses `Authorization: Basic base64(login:password)`; the password may itself contain colons. */
function basicCredentials(header: string | undefined): { login: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function createDemoSite(options: DemoSiteOptions): Hono {
  const users = options.users ?? DEMO_USERS;
  const ttl = options.tokenTtlSeconds ?? 3600;
  const sessionSecret = options.sessionSecret ?? randomBytes(32).toString('base64url');
  const app = new Hono();

  const origin = (c: Context) => (options.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');

  async function currentUser(c: Context): Promise<DemoUser | null> {
    const id = await getSignedCookie(c, sessionSecret, SESSION_COOKIE);
    return (typeof id === 'string' && findUser(users, id)) || null;
  }

  async function embedFor(user: DemoUser): Promise<EmbedOptions> {
    return {
      serverUrl: options.serverUrl,
      devId: options.devId,
      user,
      token: await signChatToken(options.secretKey, user.id, ttl),
    };
  }

  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
  });

  app.get('/site.css', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(SITE_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.get('/site.js', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(SITE_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });
  app.get('/favicon.svg', (c) => c.body(FAVICON, 200, { 'Content-Type': 'image/svg+xml' }));
  app.get('/favicon.ico', (c) => c.redirect('/favicon.svg', 301));

  app.get('/avatars/:file', (c) => {
    const m = /^(\d+)\.svg$/.exec(c.req.param('file'));
    const user = m ? findUser(users, m[1]) : undefined;
    if (!user) return c.text('Not found', 404);
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(avatarSvg(user), 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
  });

  app.get('/login', async (c) => {
    if (await currentUser(c)) return c.redirect('/');
    return c.html(loginPage(users));
  });

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const user = typeof body.user_id === 'string' ? findUser(users, body.user_id) : undefined;
    if (!user) return c.html(loginPage(users, 'Choose one of the members below.'), 400);
    await setSignedCookie(c, SESSION_COOKIE, String(user.id), sessionSecret, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
    });
    const back = c.req.query('next');
    return c.redirect(back && /^\/(?!\/)/.test(back) ? back : '/', 303);
  });

  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  app.get('/', async (c) => {
    const me = await currentUser(c);
    if (!me) return c.redirect('/login');
    return c.html(membersPage(me, users, await embedFor(me)));
  });

  app.get('/users/:id', async (c) => {
    const me = await currentUser(c);
    if (!me) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    const user = findUser(users, c.req.param('id'));
    if (!user) return c.html(notFoundPage(me, await embedFor(me)), 404);
    return c.html(profilePage(me, user, await embedFor(me)));
  });

  // The widget's getToken: a fresh token for whoever is logged in on this site.
  app.get('/api/token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const me = await currentUser(c);
    if (!me) return c.json({ error: 'not_logged_in' }, 401);
    const token = await signChatToken(options.secretKey, me.id, ttl);
    return c.json({ user_id: me.id, token });
  });

  // What the chat server calls: GET /api/users-info?user_ids=1,2,3 with HTTP Basic auth.
  app.get('/api/users-info', (c) => {
    const cred = basicCredentials(c.req.header('Authorization'));
    if (!cred || !sameSecret(cred.login, options.apiLogin) || !sameSecret(cred.password, options.apiPassword)) {
      c.header('WWW-Authenticate', 'Basic realm="Corner Club chat API", charset="UTF-8"');
      return c.json({ code: 401, error: 'Authenticate required!' }, 401);
    }
    const base = origin(c);
    const ids = (c.req.query('user_ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const found = new Map<number, DemoUser>();
    for (const id of ids) {
      const user = findUser(users, id);
      if (user) found.set(user.id, user);
    }
    c.header('Cache-Control', 'no-store');
    return c.json(
      [...found.values()].map((u) => ({
        user_id: u.id,
        name: u.name,
        avatar_url: u.hue === null ? null : `${base}${avatarPath(u)}`,
        profile_url: `${base}/users/${u.id}`,
      })),
    );
  });

  app.notFound(async (c) => {
    if (c.req.path.startsWith('/api/')) return c.json({ error: 'not_found' }, 404);
    const me = await currentUser(c);
    return c.html(notFoundPage(me, me ? await embedFor(me) : null), 404);
  });

  return app;
}

export interface RunningDemoSite {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the demo site; port 0 picks a free one. */
export function startDemoSite(options: DemoSiteOptions, listen: ListenOptions = {}): Promise<RunningDemoSite> {
  return serveApp(createDemoSite(options), listen);
}

export interface ListenOptions {
  port?: number;
  host?: string;
}

/** Serves any Hono app (the demo site, possibly with more routes mounted) on a real HTTP port. */
export async function serveApp(app: Hono, listen: ListenOptions = {}): Promise<RunningDemoSite> {
  const host = listen.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: listen.port ?? 0, hostname: host }, () => resolve(s as Server));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
