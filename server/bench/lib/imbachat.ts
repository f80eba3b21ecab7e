// What the bench needs to drive ImbaChat: the bench widget and its host site, user tokens, and the
// dialogs and groups a scenario opens over the REST API before its measured window.
import { SignJWT } from 'jose';
import { LOOPBACK_HOST_ALLOWLIST, type WidgetEntry } from '../../../scripts/stack.ts';
import { rateLimitsToWire } from '../../src/limits/policy.ts';
import { UNMET_RATE_LIMITS } from '../../src/limits/test-support.ts';
import { type HostSite, startHostSite } from '../../src/testing/host-site.ts';

export const DEV_ID = 'bench';
const SECRET = 'bench-secret-key-that-is-long-enough-0123456789';
const API_LOGIN = 'chat';
const API_PASSWORD = 'pw';

/** Server settings the bench widget needs: its host site is on loopback, which the SSRF guard refuses unless allowed. */
export const BENCH_SERVER_ENV = { IMBACHAT_HOST_ALLOWLIST: LOOPBACK_HOST_ALLOWLIST };

export interface BenchWidget {
  devId: string;
  secretKey: string;
  host: HostSite;
}

export async function startBenchWidget(maxUserId: number): Promise<BenchWidget> {
  const users = Array.from({ length: maxUserId }, (_, i) => ({ user_id: i + 1, name: `Bench user ${i + 1}` }));
  const host = await startHostSite(users, API_LOGIN, API_PASSWORD);
  return { devId: DEV_ID, secretKey: SECRET, host };
}

/** `allowedOrigins` empty lets every page origin in (what the load scenarios, which send no Origin, use). */
export function widgetEntry(w: BenchWidget, allowedOrigins: string[] = []): WidgetEntry {
  return {
    dev_id: w.devId,
    name: 'Bench',
    secret_key: w.secretKey,
    api_login: API_LOGIN,
    api_password: API_PASSWORD,
    users_info_url: w.host.url,
    allowed_origins: allowedOrigins,
    admin_ids: [],
    // The bench measures what the server can carry, side by side with servers that have no limits.
    rate_limits: rateLimitsToWire(UNMET_RATE_LIMITS),
  };
}

/** The widget row as the store API takes it, for scenarios that seed the store directly. */
export function newWidgetRow(w: BenchWidget) {
  return {
    devId: w.devId,
    name: 'Bench',
    secretKey: w.secretKey,
    apiLogin: API_LOGIN,
    apiPassword: API_PASSWORD,
    usersInfoUrl: w.host.url,
    allowedOrigins: [] as string[],
    adminIds: [] as string[],
    rateLimits: UNMET_RATE_LIMITS,
  };
}

const tokenCache = new Map<number, string>();
const key = new TextEncoder().encode(SECRET);

/** HS256 tokens valid for a day: long enough for a run, and signed once per user. */
export async function tokenFor(userId: number): Promise<string> {
  let t = tokenCache.get(userId);
  if (!t) {
    t = await new SignJWT({ user_id: userId })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) + 86_400)
      .sign(key);
    tokenCache.set(userId, t);
  }
  return t;
}

export async function tokensFor(ids: number[]): Promise<Map<number, string>> {
  return new Map(await Promise.all(ids.map(async (id) => [id, await tokenFor(id)] as const)));
}

export const api = (devId: string) => `/api/v1/${devId}`;

export async function call<T>(baseUrl: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function pooled<I, O>(items: I[], concurrency: number, fn: (item: I) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** Opens each conversation (a direct pair, or a group created by its first member); returns dialog ids in order. */
export async function openConversations(baseUrl: string, devId: string, conversations: number[][]): Promise<number[]> {
  return pooled(conversations, 16, async (members) => {
    const [owner, ...rest] = members as [number, ...number[]];
    const body = members.length === 2 ? { user_id: rest[0] } : { type: 'group', title: `Bench group of ${owner}`, user_ids: rest };
    const res = await call<{ id: number }>(baseUrl, 'POST', `${api(devId)}/dialogs`, await tokenFor(owner), body);
    if (res.status !== 200 && res.status !== 201) {
      throw new Error(`POST /dialogs ${JSON.stringify(body).slice(0, 80)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    return res.body.id;
  });
}
