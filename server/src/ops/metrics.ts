// The process's Prometheus metrics (prom-client): one registry per process, so whatever counts
// (rate limits, the users directory, sockets) calls a plain function here and /metrics shows it.
//
// Labels never carry tenant data: no dev_id, no user id, no path. Every label takes a value from a
// small fixed set (a close reason, a rate-limit scope, a host-failure reason, a status class), so
// the number of series stays bounded however many widgets and users the server has.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();

/** Latency buckets in seconds: from the sub-millisecond in-process path to a slow host. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const wsConnections = new Gauge({
  name: 'imbachat_ws_connections',
  help: 'Open WebSocket connections on this process (authenticated or not).',
  registers: [registry],
});
const wsClosedByServer = new Counter({
  name: 'imbachat_ws_closed_by_server_total',
  help: 'WebSocket connections the server closed, by close reason (slow_consumer, too_many_bad_frames, …).',
  labelNames: ['reason'],
  registers: [registry],
});
const messagesSent = new Counter({
  name: 'imbachat_messages_sent_total',
  help: 'Messages accepted and stored (answered 201).',
  registers: [registry],
});
const sendLatency = new Histogram({
  name: 'imbachat_send_latency_seconds',
  help: 'Time from a send request arriving to its answer (validation, commit and publish included).',
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const deliveryLatency = new Histogram({
  name: 'imbachat_delivery_latency_seconds',
  help: "Time from a message being accepted to its frame being handed to each recipient's socket.",
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const hostFailures = new Counter({
  name: 'imbachat_host_call_failures_total',
  help: 'Failed calls to host sites (users-info), by reason.',
  labelNames: ['reason'],
  registers: [registry],
});
const rateLimited = new Counter({
  name: 'imbachat_rate_limited_total',
  help: 'Requests and frames refused by a rate limit, by scope.',
  labelNames: ['scope'],
  registers: [registry],
});
const httpResponses = new Counter({
  name: 'imbachat_http_responses_total',
  help: 'HTTP responses by status class (2xx, 3xx, 4xx, 5xx).',
  labelNames: ['status'],
  registers: [registry],
});

/**
 * A label value from a caller is folded to a short snake_case token: a caller passing something
 * unbounded by mistake (an id, a URL) cannot create one series per value beyond this shape.
 */
function label(value: string): string {
  const v = value.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 40);
  return v || 'unknown';
}

/** A request or frame was refused by a rate limit; `scope` is what was limited ("send", "connect", …). */
export function countRateLimited(scope: string): void {
  rateLimited.inc({ scope: label(scope) });
}

/** A host call failed; `reason` is a short category ("timeout", "refused", "too_large", "forbidden_address", …). */
export function countHostFailure(reason: string): void {
  hostFailures.inc({ reason: label(reason) });
}

export function countWsClosedByServer(reason: string): void {
  wsClosedByServer.inc({ reason: label(reason) });
}

export function wsOpened(): void {
  wsConnections.inc();
}

export function wsClosed(): void {
  wsConnections.dec();
}

export function observeSend(seconds: number, created: boolean): void {
  sendLatency.observe(seconds);
  if (created) messagesSent.inc();
}

export function observeDelivery(seconds: number): void {
  deliveryLatency.observe(Math.max(0, seconds));
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export function countResponse(status: number): void {
  httpResponses.inc({ status: STATUS_CLASSES[Math.floor(status / 100) - 1] ?? '5xx' });
}

let defaultsStarted = false;
/**
 * Process metrics and the event-loop lag (nodejs_eventloop_lag_seconds and its percentiles),
 * started by the first server of the process rather than on import, so the CLI runs no sampler.
 */
export function startProcessMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}

export function metricsText(): Promise<string> {
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;
