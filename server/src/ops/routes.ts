// The operations endpoints: /healthz (the process answers), /readyz (it can serve: store and bus
// reachable, not shutting down) and /metrics (Prometheus text, behind a bearer token).
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/types.ts';
import { AppError, errorBody } from '../errors.ts';
import type { Store } from '../store/types.ts';
import { METRICS_CONTENT_TYPE, metricsText } from './metrics.ts';

export interface OpsDeps {
  store: Pick<Store, 'ping'>;
  bus: Pick<EventBus, 'ping'>;
  /** True once a shutdown began: the load balancer should send new clients elsewhere. */
  draining: () => boolean;
  /** Without it /metrics is off (404): metrics describe traffic, which is not for everyone to read. */
  metricsToken?: string | undefined;
  log: Logger;
}

/** A readiness check gives up after this long: a check that hangs is a failed check. */
const CHECK_TIMEOUT_MS = 2_000;

async function check(what: string, ping: () => Promise<void>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return null;
  } catch (err) {
    return `the ${what} is not reachable (${(err as Error)?.message ?? 'unknown error'})`;
  } finally {
    clearTimeout(timer);
  }
}

/** Compares digests, so neither the token's length nor its prefix can be learnt from timings. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function opsRoutes(d: OpsDeps): Hono {
  // Logged when it changes, not on every probe: a balancer probes every few seconds.
  let lastFailures = '';
  return new Hono()
    .get('/healthz', (c) => c.json({ ok: true }))
    .get('/readyz', async (c) => {
      if (d.draining()) return c.json(errorBody('not_ready', 'The server is shutting down.'), 503);
      const failures = (await Promise.all([check('store', () => d.store.ping()), check('event bus', () => d.bus.ping())])).filter(
        (f): f is string => f !== null,
      );
      const summary = failures.join('; ');
      if (summary !== lastFailures) {
        if (summary) d.log.warn({ failures }, 'not ready');
        else if (lastFailures) d.log.info('ready again');
        lastFailures = summary;
      }
      if (failures.length) return c.json(errorBody('not_ready', `Not ready: ${summary}.`), 503);
      return c.json({ ok: true });
    })
    .get('/metrics', async (c) => {
      if (!d.metricsToken) throw new AppError('not_found', 404, 'Metrics are off: set IMBACHAT_METRICS_TOKEN to turn them on.');
      const header = c.req.header('authorization') ?? '';
      const given = /^Bearer (.+)$/i.exec(header)?.[1];
      if (!given || !sameToken(given, d.metricsToken)) {
        c.header('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new AppError('unauthorized', 401, 'Metrics need Authorization: Bearer <IMBACHAT_METRICS_TOKEN>.');
      }
      return c.body(await metricsText(), 200, { 'Content-Type': METRICS_CONTENT_TYPE });
    });
}
