// Runs the demo site alone against a chat server that is already running (`pnpm start` runs both).
import { startDemoSite } from './site.ts';

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`demo: set ${name}`);
    process.exit(78);
  }
  return v;
}

const port = Number(process.env.DEMO_PORT ?? 3000);
const site = await startDemoSite(
  {
    serverUrl: required('IMBACHAT_SERVER_URL'),
    devId: process.env.IMBACHAT_DEV_ID ?? 'demo',
    secretKey: required('IMBACHAT_SECRET_KEY'),
    apiLogin: process.env.IMBACHAT_API_LOGIN ?? 'imbachat',
    apiPassword: required('IMBACHAT_API_PASSWORD'),
    ...(process.env.DEMO_PUBLIC_URL ? { publicUrl: process.env.DEMO_PUBLIC_URL } : {}),
  },
  { port, host: process.env.DEMO_HOST ?? '127.0.0.1' },
);
console.log(`demo site on ${site.url}`);
// One Ctrl-C under pnpm arrives more than once (from the terminal, then from pnpm): close once.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void site.close().then(() => {
    console.log('demo site stopped');
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
