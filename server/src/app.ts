// createApp(deps): the HTTP application — routes, middleware and the error handler; no I/O of its own.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { createAssetRoutes } from './assets/routes.ts';
import type { TokenCache } from './auth/token.ts';
import { dialogRoutes } from './dialogs/routes.ts';
import type { GroupService } from './dialogs/groups.ts';
import type { DialogService } from './dialogs/service.ts';
import { hostRoutes } from './hostapi/routes.ts';
import { HostService } from './hostapi/service.ts';
import { AppError, createErrorHandler, errorBody } from './errors.ts';
import type { RequestMiddleware } from './http/request.ts';
import { type ApiEnv, type WidgetCache, apiCors, authenticate, tenant } from './http/tenant.ts';
import { RateGuard } from './limits/guard.ts';
import { createMemoryRateLimiter } from './limits/memory.ts';
import { messageRoutes } from './messages/routes.ts';
import { fileRoutes, uploadRoutes } from './files/routes.ts';
import type { FileService } from './files/service.ts';
import type { MessageService } from './messages/service.ts';
import { type OpsDeps, opsRoutes } from './ops/routes.ts';
import type { Store } from './store/types.ts';
import type { UsersDirectory } from './users/directory.ts';
import { userRoutes } from './users/routes.ts';

export interface AppDeps {
  widgets: WidgetCache;
  tokens: TokenCache;
  directory: UsersDirectory;
  dialogs: DialogService;
  groups: GroupService;
  messages: MessageService;
  files: FileService;
  /** The store, for the host API's own rows (idempotency keys) and lookups. */
  store: Store;
  /** Clock skew tolerated on token `exp`, in seconds. */
  tokenLeewayS: number;
  log: Logger;
  now: () => number;
  /** Where the widget build is (default: widget/dist of this repository). */
  widgetDistDir?: string;
  /** Rate limits of sending, opening dialogs and read marks (default: the default limits, in memory, on `now`). */
  limits?: RateGuard;
  /** /healthz, /readyz, /metrics. */
  ops: Omit<OpsDeps, 'log'>;
  /** Request ids, security headers and the in-flight count; first, so every answer passes through it. */
  requests: RequestMiddleware;
}

export function createApp(deps: AppDeps) {
  const auth = authenticate(deps.tokens, deps.now, deps.tokenLeewayS);
  // Never unlimited by omission: an app built without a guard still gets the default limits.
  const limits = deps.limits ?? new RateGuard({ limiter: createMemoryRateLimiter({ now: deps.now }) });
  // The token is checked on the routes that exist, so an unknown path answers 404, not 401.
  const api = new Hono<ApiEnv>()
    .use(tenant(deps.widgets), apiCors)
    .use('/me', auth)
    .use('/dialogs', auth)
    .use('/dialogs/:dialog_id', auth)
    .use('/dialogs/:dialog_id/messages', auth)
    .use('/dialogs/:dialog_id/messages/:message_id/read-by', auth)
    .use('/dialogs/:dialog_id/read', auth)
    .use('/dialogs/:dialog_id/members', auth)
    .use('/dialogs/:dialog_id/members/:user_id', auth)
    .use('/dialogs/:dialog_id/members/:user_id/role', auth)
    .use('/dialogs/:dialog_id/leave', auth)
    .use('/dialogs/:dialog_id/mute', auth)
    .use('/uploads', auth)
    .use('/uploads/:upload_id', auth)
    .route('/', userRoutes(deps.directory))
    .route('/', dialogRoutes(deps.dialogs, deps.groups, limits))
    .route('/', messageRoutes(deps.messages, limits))
    .route('/', uploadRoutes(deps.files, limits));

  const app = new Hono()
    .use(deps.requests.middleware)
    .route('/', opsRoutes({ ...deps.ops, log: deps.log }))
    .route('/api/v1/:dev_id', api)
    // By signed link, without a token: an <img> on the host's page cannot send one.
    .route('/files/v1', fileRoutes({ files: deps.files, widgets: deps.widgets, now: deps.now }))
    // Server to server: no CORS, the widget's host API key instead of a user token.
    .route('/host/v1/:dev_id', hostRoutes({ widgets: deps.widgets, store: deps.store, host: new HostService(deps.store, deps.dialogs, deps.messages, deps.now), now: deps.now }))
    .route(
      '/',
      createAssetRoutes({
        ...(deps.widgetDistDir && { distDir: deps.widgetDistDir }),
        widgetExists: (devId) =>
          deps.widgets.find(devId).then(
            () => true,
            () => false,
          ),
      }),
    );
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));
  app.onError(createErrorHandler(deps.log));
  return app;
}

export { AppError };
