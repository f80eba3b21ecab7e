import { Hono } from 'hono';
import { caller } from '../dialogs/routes.ts';
import type { ApiEnv } from '../http/tenant.ts';
import { idParam, readJson, readQuery } from '../http/validate.ts';
import { listMessagesQuery, readBody, sendMessageBody } from './schema.ts';
import type { MessageService } from './service.ts';

export function messageRoutes(messages: MessageService) {
  return new Hono<ApiEnv>()
    .get('/dialogs/:dialog_id/messages', async (c) => {
      const q = readQuery(c, listMessagesQuery);
      return c.json(await messages.list(caller(c), idParam(c, 'dialog_id'), q));
    })
    .post('/dialogs/:dialog_id/messages', async (c) => {
      const dialogId = idParam(c, 'dialog_id');
      const body = await readJson(c, sendMessageBody);
      const { message, created } = await messages.send(caller(c), dialogId, body.text, body.client_msg_id);
      return c.json(message, created ? 201 : 200);
    })
    .post('/dialogs/:dialog_id/read', async (c) => {
      const dialogId = idParam(c, 'dialog_id');
      const body = await readJson(c, readBody);
      return c.json(await messages.markRead(caller(c), dialogId, body.message_id));
    });
}
