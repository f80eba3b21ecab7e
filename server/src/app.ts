// createApp(deps): the HTTP application — routes, middleware and the error handler; no I/O of its own.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { createAssetRoutes } from './assets/routes.ts';
import type { TokenCache } from './auth/token.ts';
import { dialogRoutes } from './dialogs/routes.ts';
import type { DialogService } from './dialogs/service.ts';
import { AppError, createErrorHandler, errorBody } from './errors.ts';
import { type ApiEnv, type WidgetCache, apiCors, authenticate, tenant } from './http/tenant.ts';
import { messageRoutes } from './messages/routes.ts';
import type { MessageService } from './messages/service.ts';
import type { UsersDirectory } from './users/directory.ts';
import { userRoutes } from './users/routes.ts';

export interface AppDeps {
  widgets: WidgetCache;
  tokens: TokenCache;
  directory: UsersDirectory;
  dialogs: DialogService;
  messages: MessageService;
  /** Clock skew tolerated on token `exp`, in seconds. */
  tokenLeewayS: number;
  log: Logger;
  now: () => number;
  /** Where the widget build is (default: widget/dist of this repository). */
  widgetDistDir?: string;
}

export function createApp(deps: AppDeps) {
  const auth = authenticate(deps.tokens, deps.now, deps.tokenLeewayS);
  // The token is checked on the routes that exist, so an unknown path answers 404, not 401.
  const api = new Hono<ApiEnv>()
    .use(tenant(deps.widgets), apiCors)
    .use('/me', auth)
    .use('/dialogs', auth)
    .use('/dialogs/:dialog_id', auth)
    .use('/dialogs/:dialog_id/messages', auth)
    .use('/dialogs/:dialog_id/read', auth)
    .route('/', userRoutes(deps.directory))
    .route('/', dialogRoutes(deps.dialogs))
    .route('/', messageRoutes(deps.messages));

  const app = new Hono()
    .get('/healthz', (c) => c.json({ ok: true }))
    .route('/api/v1/:dev_id', api)
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
