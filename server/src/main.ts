// Boot: read the configuration, open the store, apply the widgets file and serve.
// The only module that reads process.env.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer } from './server.ts';
import { applyWidgetConfig } from './widgets/service.ts';

async function main() {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const server = await startServer({
    dataDir: config.dataDir,
    port: config.port,
    host: config.host,
    log,
    usersInfoTtlMs: config.usersInfoTtlMs,
    usersInfoTimeoutMs: config.usersInfoTimeoutMs,
    eventRetentionMs: config.eventRetentionMs,
    tokenLeewayS: config.tokenLeewayS,
    prepare: async (store) => {
      const applied = await applyWidgetConfig(store, config.widgets, Date.now());
      if (applied.created.length || applied.updated.length) log.info(applied, 'widgets applied from config file');
    },
  });
  log.info({ url: server.url, data_dir: config.dataDir }, 'imbachat server listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`imbachat: ${err.message}`);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
});
