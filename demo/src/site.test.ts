// The demo site's backend contract: users-info behind Basic auth, tokens the chat server accepts,
// and the embed on every logged-in page.
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDemoSite } from './site.ts';

const secretKey = 'a-widget-secret-key-of-at-least-32-bytes';
const app = createDemoSite({
  serverUrl: 'http://127.0.0.1:9',
  devId: 'demo',
  secretKey,
  apiLogin: 'imbachat',
  apiPassword: 'pa:ss wörd',
  publicUrl: 'http://localhost:3000',
});
const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;

async function loginAs(id: number): Promise<string> {
  const res = await app.request('/login', { method: 'POST', body: new URLSearchParams({ user_id: String(id) }) });
  expect(res.status).toBe(303);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe('users-info endpoint', () => {
  it('refuses requests without the right Basic credentials, asking for them', async () => {
    for (const auth of [undefined, basic('imbachat', 'wrong'), basic('other', 'pa:ss wörd'), 'Bearer x']) {
      const res = await app.request('/api/users-info?user_ids=1', { headers: auth ? { Authorization: auth } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
  });

  it('answers the known users asked for as an array, skipping unknown ids', async () => {
    const res = await app.request('/api/users-info?user_ids=1,3,6,99,abc', {
      headers: { Authorization: basic('imbachat', 'pa:ss wörd') },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { user_id: 1, name: 'Alice Martin', avatar_url: 'http://localhost:3000/avatars/1.svg', profile_url: 'http://localhost:3000/users/1' },
      { user_id: 3, name: 'Мария Иванова', avatar_url: 'http://localhost:3000/avatars/3.svg', profile_url: 'http://localhost:3000/users/3' },
      { user_id: 6, name: 'Zoë Nguyễn', avatar_url: null, profile_url: 'http://localhost:3000/users/6' },
    ]);
  });
});

describe('login and tokens', () => {
  it('sends visitors who are not logged in to the login page', async () => {
    expect((await app.request('/')).headers.get('location')).toBe('/login');
    expect((await app.request('/api/token')).status).toBe(401);
  });

  it('hands out an HS256 token over the widget secret for the logged-in member', async () => {
    const cookie = await loginAs(2);
    const res = await app.request('/api/token', { headers: { Cookie: cookie } });
    const { token, user_id } = (await res.json()) as { token: string; user_id: number };
    expect(user_id).toBe(2);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(secretKey), { algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.user_id).toBe(2);
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('embeds the widget script and ImbaChat.load on a profile page, with a Write a message button', async () => {
    const cookie = await loginAs(1);
    const res = await app.request('/users/4', { headers: { Cookie: cookie } });
    const page = await res.text();
    expect(page).toContain('<script src="http://127.0.0.1:9/imbachat/v1/demo/widget" async></script>');
    expect(page).toContain('window.ImbaChat.load(opt)');
    expect(page).toMatch(/data-open-dialog="4">Write a message</);
    expect(page).toContain('أحمد الفارسي');
  });

  it('ignores a forged session cookie', async () => {
    const res = await app.request('/', { headers: { Cookie: 'corner_club_session=1' } });
    expect(res.headers.get('location')).toBe('/login');
  });
});
