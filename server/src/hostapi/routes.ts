// REST routes of the host API, /host/v1/{dev_id}/…: server to server (no CORS), authenticated by
// the widget's host API key (auth.ts), idempotent by an Idempotency-Key header (idempotency.ts).
import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import type { WidgetCache } from '../http/tenant.ts';
import { MAX_BODY_BYTES, check, idParam } from '../http/validate.ts';
import { USER_ID_RULE, normalizeUserId } from '../realtime/protocol.ts';
import type { Store } from '../store/types.ts';
import { type HostEnv, hostAuth } from './auth.ts';
import { type HostAnswer, Idempotency, requestHash } from './idempotency.ts';
import { hostAddMembersBody, hostCreateGroupBody, hostPatchDialogBody, hostPostMessageBody, idempotencyKey } from './schema.ts';
import type { HostService } from './service.ts';

export interface HostRouteDeps {
  widgets: WidgetCache;
  store: Store;
  host: HostService;
  now: () => number;
}

export function hostRoutes(deps: HostRouteDeps) {
  const idempotency = new Idempotency(deps.store, deps.now);

  /** Reads and checks the body, then runs the work once per Idempotency-Key; a replay says so in a header. */
  const once = async <S extends z.ZodType>(c: Context<HostEnv>, schema: S | null, work: (body: z.infer<S>) => Promise<HostAnswer>) => {
    const header = c.req.header('idempotency-key');
    const key = header === undefined ? undefined : check(idempotencyKey, header, 'Idempotency-Key header');
    const text = await bodyText(c);
    const body = schema ? check(schema, parseJson(text), 'body') : undefined;
    const widget = c.get('widget');
    const answer = await idempotency.run(widget.id, key, requestHash(c.req.method, c.req.path, text), () => work(body as z.infer<S>));
    if (answer.replayed) c.header('Idempotent-Replayed', 'true');
    // A replayed creation answers 200: the group exists already, and this is it.
    return c.json(answer.body as object, answer.replayed && answer.status === 201 ? 200 : answer.status);
  };

  return new Hono<HostEnv>()
    .use('*', hostAuth(deps.widgets))
    .post('/groups', (c) =>
      once(c, hostCreateGroupBody, async (b) => ({
        status: 201,
        body: await deps.host.createGroup(c.get('widget'), { title: b.title, ownerId: b.owner_id, userIds: b.user_ids, avatarUrl: b.avatar_url, history: b.history }),
      })),
    )
    .get('/dialogs/:dialog_id/members', async (c) => c.json({ items: await deps.host.members(c.get('widget'), idParam(c, 'dialog_id')) }))
    .post('/dialogs/:dialog_id/members', (c) => {
      const dialogId = idParam(c, 'dialog_id');
      return once(c, hostAddMembersBody, async (b) => ({ status: 200, body: await deps.host.change(c.get('widget'), dialogId, { kind: 'add', userIds: b.user_ids }) }));
    })
    .delete('/dialogs/:dialog_id/members/:user_id', (c) => {
      const dialogId = idParam(c, 'dialog_id');
      const userId = userIdParam(c.req.param('user_id'));
      return once(c, null, async () => ({ status: 200, body: await deps.host.change(c.get('widget'), dialogId, { kind: 'remove', userId }) }));
    })
    .patch('/dialogs/:dialog_id', (c) => {
      const dialogId = idParam(c, 'dialog_id');
      return once(c, hostPatchDialogBody, async (b) => ({
        status: 200,
        body: await deps.host.change(c.get('widget'), dialogId, { kind: 'edit', title: b.title, avatarUrl: b.avatar_url }),
      }));
    })
    .post('/dialogs/:dialog_id/messages', (c) => {
      const dialogId = idParam(c, 'dialog_id');
      return once(c, hostPostMessageBody, async (b) => {
        const widget = c.get('widget');
        if (b.sender_id === undefined) return { status: 201, body: await deps.host.notice(widget, dialogId, b.text) };
        const { message, created } = await deps.host.post(widget, dialogId, b.sender_id, b.text, b.client_msg_id);
        return { status: created ? 201 : 200, body: message };
      });
    });
}

function userIdParam(raw: string | undefined): string {
  const id = normalizeUserId(raw ?? '');
  if (id === null) throw new AppError('validation_failed', 400, `user_id must be ${USER_ID_RULE}.`);
  return id;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 400, 'The request body is not valid JSON.');
  }
}

/** The body as text, at most MAX_BODY_BYTES (the same cap as the user API). */
async function bodyText(c: Context): Promise<string> {
  const tooLarge = () => new AppError('payload_too_large', 413, `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
  if (Number(c.req.header('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw tooLarge();
  return text;
}
