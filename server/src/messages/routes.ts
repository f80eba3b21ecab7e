// REST routes of messages: history, sending, read marks and who read a message. Sending and read marks are rate limited.
import { Hono } from 'hono';
import { caller } from '../dialogs/routes.ts';
import type { ApiEnv } from '../http/tenant.ts';
import { idParam, readJson, readQuery } from '../http/validate.ts';
import type { RateGuard } from '../limits/guard.ts';
import { limitRequest } from '../limits/http.ts';
import { listMessagesQuery, readBody, sendMessageBody } from './schema.ts';
import type { MessageService } from './service.ts';

export function messageRoutes(messages: MessageService, limits: RateGuard) {
  return new Hono<ApiEnv>()
    .get('/dialogs/:dialog_id/messages', async (c) => {
      const q = readQuery(c, listMessagesQuery);
      return c.json(await messages.list(caller(c), idParam(c, 'dialog_id'), q));
    })
    .post('/dialogs/:dialog_id/messages', async (c) => {
      const dialogId = idParam(c, 'dialog_id');
      const body = await readJson(c, sendMessageBody);
      const who = caller(c);
      // A retry with the same client_msg_id counts too: a client retrying in a loop is still a flood.
      await limitRequest(limits, c, who, 'send');
      const { message, created } = await messages.send(who, dialogId, body.text, body.client_msg_id, body.attachment_ids);
      return c.json(message, created ? 201 : 200);
    })
    .get('/dialogs/:dialog_id/messages/:message_id/read-by', async (c) =>
      c.json(await messages.readBy(caller(c), idParam(c, 'dialog_id'), idParam(c, 'message_id'))),
    )
    .post('/dialogs/:dialog_id/read', async (c) => {
      const dialogId = idParam(c, 'dialog_id');
      const body = await readJson(c, readBody);
      const who = caller(c);
      await limitRequest(limits, c, who, 'read');
      return c.json(await messages.markRead(who, dialogId, body.message_id));
    });
}
