// Boot: read the configuration, open the store, apply the widgets file and serve; on SIGINT or
// SIGTERM close everything and exit 0. The only module that reads process.env.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer } from './server.ts';
import { describeStore } from './store/open.ts';
import { applyWidgetConfig } from './widgets/service.ts';

/**
 * How long a clean stop may take before the process gives up on it and exits 1. Closing waits up
 * to a second for WebSocket clients to answer their close frame, then for pending writes.
 */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Resolves with the first stop signal. The listeners stay, so every later signal is absorbed:
 * one Ctrl-C under pnpm arrives as SIGINT from the terminal, SIGINT again from pnpm, then SIGTERM.
 * A signal during startup stops the server as soon as it is up.
 */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => resolve(signal));
  });
}

async function main() {
  const stopRequested = stopSignal();
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const server = await startServer({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    port: config.port,
    host: config.host,
    log,
    usersInfoTtlMs: config.usersInfoTtlMs,
    usersInfoTimeoutMs: config.usersInfoTimeoutMs,
    eventRetentionMs: config.eventRetentionMs,
    tokenLeewayS: config.tokenLeewayS,
    hostAllowlist: config.hostAllowlist,
    trustedProxies: config.trustedProxies,
    maxSocketsPerUser: config.maxSocketsPerUser,
    s3: config.s3,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    prepare: async (store) => {
      const applied = await applyWidgetConfig(store, config.widgets, Date.now());
      if (applied.created.length || applied.updated.length) log.info(applied, 'widgets applied from config file');
    },
  });
  log.info({ url: server.url, data_dir: config.dataDir, store: describeStore(config) }, 'imbachat server listening');

  const signal = await stopRequested;
  const started = Date.now();
  const giveUp = setTimeout(() => {
    log.error({ signal, timeout_ms: SHUTDOWN_TIMEOUT_MS }, 'imbachat server did not stop in time; exiting');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  try {
    await server.close();
  } catch (err) {
    log.error({ err, signal }, 'imbachat server did not stop cleanly');
    process.exit(1);
  }
  clearTimeout(giveUp);
  // Exit 0: a stop that was asked for is a success, and pnpm reports nothing for it.
  log.info({ signal, ms: Date.now() - started }, 'imbachat server stopped');
  process.exit(0);
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`imbachat: ${err.message}`);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
});
