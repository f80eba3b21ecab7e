// The demo host site's public surface, used by `pnpm start` and the browser tests.
export { createDemoSite, serveApp, signChatToken, startDemoSite } from './site.ts';
export type { DemoSiteOptions, ListenOptions, RunningDemoSite } from './site.ts';
export { DEMO_USERS, initials } from './users.ts';
export type { DemoUser } from './users.ts';
