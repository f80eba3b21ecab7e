// createApp(deps): the HTTP application — routes, middleware and the error handler; no I/O of its own.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { createAssetRoutes } from './assets/routes.ts';
import type { EventBus } from './bus/types.ts';
import { dialogRoutes } from './dialogs/routes.ts';
import { DialogService, type PresenceView } from './dialogs/service.ts';
import { AppError, createErrorHandler, errorBody } from './errors.ts';
import { type ApiEnv, apiCors, authenticate, limitBody, tenant } from './http/tenant.ts';
import { messageRoutes } from './messages/routes.ts';
import { MessageService } from './messages/service.ts';
import type { Store } from './store/types.ts';
import type { UsersDirectory } from './users/directory.ts';
import { userRoutes } from './users/routes.ts';

export interface AppDeps {
  store: Store;
  bus: EventBus;
  directory: UsersDirectory;
  presence: PresenceView;
  /** Clock skew tolerated on token `exp`, in seconds. */
  tokenLeewayS: number;
  log: Logger;
  now: () => number;
  /** Called after a message is committed; ends the sender's typing indicator. */
  onSent?: (widgetId: number, userId: string, dialogId: number) => void;
}

export function createApp(deps: AppDeps) {
  const dialogs = new DialogService(deps.store, deps.bus, deps.directory, deps.presence, deps.now);
  const messages = new MessageService(deps.store, deps.bus, dialogs, deps.directory, deps.now, deps.onSent);

  const api = new Hono<ApiEnv>()
    .use(tenant(deps.store), apiCors, limitBody, authenticate(deps.now, deps.tokenLeewayS))
    .route('/', userRoutes(deps.directory))
    .route('/', dialogRoutes(dialogs))
    .route('/', messageRoutes(messages));

  const app = new Hono()
    .get('/healthz', (c) => c.json({ ok: true }))
    .route('/api/v1/:dev_id', api)
    .route(
      '/',
      createAssetRoutes({ widgetExists: async (devId) => (await deps.store.getWidgetByDevId(devId)) !== null }),
    );
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));
  app.onError(createErrorHandler(deps.log));
  return { app, dialogs, messages };
}

export { AppError };
