// The endpoints of docs/api.md that only conversations use (the launcher's are in rest.ts): they
// load with the conversations part, through the same client (token refresh, errors, abort).
import type { Dialog, Message, Page, ReadAnswer, UploadPolicy } from '@imbachat/server/protocol';
import { query, type RestClient } from './rest.ts';

export class TalkApi {
  readonly #rest: RestClient;

  constructor(rest: RestClient) {
    this.#rest = rest;
  }

  openDialog(userId: string): Promise<Dialog> {
    return this.#rest.call('POST', '/dialogs', { user_id: userId });
  }
  messages(dialogId: number, page: { before?: string | number | null; after?: number; limit?: number } = {}): Promise<Page<Message>> {
    return this.#rest.call('GET', `/dialogs/${dialogId}/messages${query(page)}`);
  }
  /** `attachmentIds`: the person's finished uploads (docs/api.md); left out of a text-only message. */
  send(dialogId: number, text: string, clientMsgId: string, attachmentIds: readonly string[] = []): Promise<Message> {
    return this.#rest.call('POST', `/dialogs/${dialogId}/messages`, { text, client_msg_id: clientMsgId, ...(attachmentIds.length ? { attachment_ids: attachmentIds } : {}) });
  }
  /** What the widget's uploads may be (its largest file, its types). */
  uploadPolicy(): Promise<UploadPolicy> {
    return this.#rest.call('GET', '/uploads');
  }
  read(dialogId: number, messageId: number): Promise<ReadAnswer> {
    return this.#rest.call('POST', `/dialogs/${dialogId}/read`, { message_id: messageId });
  }
}
