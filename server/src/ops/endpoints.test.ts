// The operations endpoints and the headers of every answer: /healthz, /readyz (store and bus),
// /metrics (behind its token, no tenant data in labels), and the security headers on API answers,
// errors, 404s and the widget's assets alike.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { type OpsEnv, startOpsEnv } from './test-env.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let env: OpsEnv;
let dist: string;
beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'imbachat-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'loader.js'), 'window.ImbaChat = {};');
  writeFileSync(join(dist, 'assets', 'chat-3f9a1c.js'), 'export const x = 1;');
  env = await startOpsEnv({ metricsToken: METRICS_TOKEN, widgetDistDir: dist, logLevel: 'silent' });
});
afterAll(async () => {
  await env.close();
  rmSync(dist, { recursive: true, force: true });
});

const metrics = (token = METRICS_TOKEN) => env.fetch('/metrics', { headers: { authorization: `Bearer ${token}` } });

describe('security headers', () => {
  it('every kind of answer carries nosniff, a referrer policy and a request id; API answers, errors and 404s are no-store, the widget assets keep their own caching', async () => {
    const api = (path: string, init?: RequestInit) => env.api(1, path, init);
    const answers: Array<[string, Response, RegExp]> = [
      ['API 200', await api('/me'), /^no-store$/],
      ['API 401', await env.fetch(`/api/v1/${env.devId}/me`), /^no-store$/],
      ['API 400', await api('/dialogs', { method: 'POST', body: '{' }), /^no-store$/],
      ['API 413', await api('/dialogs', { method: 'POST', body: JSON.stringify({ user_id: 'x'.repeat(70_000) }) }), /^no-store$/],
      ['API 404 route', await api('/nope'), /^no-store$/],
      ['API 404 widget', await env.fetch('/api/v1/no-such-widget/me'), /^no-store$/],
      ['preflight', await env.fetch(`/api/v1/${env.devId}/dialogs`, { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' } }), /^no-store$/],
      ['404', await env.fetch('/nowhere'), /^no-store$/],
      ['healthz', await env.fetch('/healthz'), /^no-store$/],
      ['readyz', await env.fetch('/readyz'), /^no-store$/],
      ['metrics', await metrics(), /^no-store$/],
      ['metrics 401', await metrics('wrong-token-wrong-token'), /^no-store$/],
      ['loader', await env.fetch(`/imbachat/v1/${env.devId}/widget`), /^public, max-age=300/],
      ['hashed asset', await env.fetch('/imbachat/v1/assets/chat-3f9a1c.js'), /immutable/],
      ['missing asset', await env.fetch('/imbachat/v1/assets/missing-000.js'), /^no-store$/],
      ['loader of no widget', await env.fetch('/imbachat/v1/no-such-widget/widget'), /^no-store$/],
    ];
    for (const [what, res, cache] of answers) {
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), what).toBe('no-referrer');
      expect(res.headers.get('x-request-id'), what).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('cache-control'), what).toMatch(cache);
      await res.arrayBuffer();
    }
    expect(answers.map(([what, res]) => [what, res.status])).toEqual([
      ['API 200', 200],
      ['API 401', 401],
      ['API 400', 400],
      ['API 413', 413],
      ['API 404 route', 404],
      ['API 404 widget', 404],
      ['preflight', 204],
      ['404', 404],
      ['healthz', 200],
      ['readyz', 200],
      ['metrics', 200],
      ['metrics 401', 401],
      ['loader', 200],
      ['hashed asset', 200],
      ['missing asset', 404],
      ['loader of no widget', 404],
    ]);
  });

  it('JSON answers forbid being framed or run as a page; the widget script stays loadable from any site', async () => {
    const me = await env.api(1, '/me');
    expect(me.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(me.headers.get('x-frame-options')).toBe('DENY');
    const loader = await env.fetch(`/imbachat/v1/${env.devId}/widget`);
    expect(loader.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(loader.headers.get('access-control-allow-origin')).toBe('*');
    expect(loader.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });
});

describe('/metrics', () => {
  it('is refused without the bearer token or with a wrong one', async () => {
    const none = await env.fetch('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as any).error.code).toBe('unauthorized');
    expect((await metrics(`${METRICS_TOKEN}x`)).status).toBe(401);
    expect((await metrics(METRICS_TOKEN.slice(0, -1))).status).toBe(401);
  });

  it('counts connections, messages, send and delivery latency, host-call failures, rate-limit refusals and event-loop lag, with no dev_id or user id in any label', async () => {
    const dialog = (await (await env.api(1, '/dialogs', { method: 'POST', body: JSON.stringify({ user_id: 2 }) })).json()) as { id: number };
    const recipient = await env.ws(2);
    const sent = await env.api(1, `/dialogs/${dialog.id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'counted' }) });
    expect(sent.status).toBe(201);
    await recipient.next('message.new');
    env.host.mode = 'error500';
    // A host that fails gets the dialog a placeholder; the failure is what is counted.
    await (await env.api(1, '/dialogs', { method: 'POST', body: JSON.stringify({ user_id: 'stranger-77' }) })).arrayBuffer();
    env.host.mode = 'ok';
    // A typing flood meets the typing limit (30 at once): refusals are counted.
    for (let i = 0; i < 40; i++) recipient.send({ type: 'typing.start', dialog_id: dialog.id });
    await recipient.next('error');

    const res = await metrics();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('imbachat_ws_connections')).toBe(1);
    expect(value('imbachat_messages_sent_total')).toBe(1);
    expect(value('imbachat_send_latency_seconds_count')).toBe(1);
    expect(value('imbachat_delivery_latency_seconds_count')).toBe(1);
    expect(value('imbachat_host_call_failures_total{reason="bad_status"}')).toBe(1);
    expect(value('imbachat_rate_limited_total{scope="typing_user"}')).toBeGreaterThanOrEqual(1);
    expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \S+$/m);
    expect(text).not.toContain(env.devId);
    expect(text).not.toContain('stranger-77');
    const labelNames = new Set([...text.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/(\w+)="/g)].map((l) => l[1])));
    expect([...labelNames].sort()).toEqual(expect.arrayContaining(['reason', 'scope']));
    for (const name of labelNames) expect(['le', 'reason', 'scope', 'status', 'type', 'space', 'version', 'major', 'minor', 'patch', 'kind']).toContain(name);
  });
});

it('a metrics token shorter than 16 characters stops the server at start, and the message does not show it', () => {
  expect(() => loadConfig({ IMBACHAT_METRICS_TOKEN: 'short-secret' })).toThrow(ConfigError);
  expect(() => loadConfig({ IMBACHAT_METRICS_TOKEN: 'short-secret' })).toThrow(/IMBACHAT_METRICS_TOKEN must be at least 16 characters/);
  expect(() => loadConfig({ IMBACHAT_METRICS_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  expect(loadConfig({}).metricsToken).toBeUndefined();
  expect(loadConfig({ IMBACHAT_METRICS_TOKEN: METRICS_TOKEN }).metricsToken).toBe(METRICS_TOKEN);
});

describe('readiness', () => {
  it('/healthz and /readyz answer ok while the store and the bus answer', async () => {
    expect(await (await env.fetch('/healthz')).json()).toEqual({ ok: true });
    const ready = await env.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true });
  });
});

it('/readyz answers 503 not_ready naming the store once the store cannot be reached, while /healthz still answers', async () => {
  const own = await startOpsEnv({ logLevel: 'silent' });
  try {
    await own.server.store.close();
    const res = await own.fetch('/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe('not_ready');
    expect(body.error.message).toMatch(/the store is not reachable/);
    expect((await own.fetch('/healthz')).status).toBe(200);
  } finally {
    await own.close().catch(() => {});
  }
});
