// The seam between the loader (index.ts, always loaded) and the app chunk (app.ts, loaded on
// the first ImbaChat.load): what each hands the other. Types only.
import type { ImbaChatEvents } from '../types/imbachat.d.ts';
import type { LoadOptions } from './api.ts';

export type EventMap = ImbaChatEvents;
export type EventName = keyof EventMap;

export interface Host {
  /** The server's base URL (origin plus any path prefix before /imbachat/v1/), without a trailing slash. */
  base: string;
  devId: string;
  emit<K extends EventName>(event: K, payload: EventMap[K]): void;
}

export interface Controller {
  load(options: LoadOptions): void;
  openDialog(userId?: string): Promise<void>;
  /** The group calls are checked where their code is (group-api.ts), so they pass on as given. */
  page(call: PageCall, arg: unknown): Promise<unknown>;
  close(): void;
  countNewMessagesSum(): number;
  countNewMessages(userId: string): number;
  updateToken(token: string): void;
}

export type Start = (host: Host) => Controller;

/** imbaApi calls answered by the conversations part of the chat. */
export type PageCall = 'openGroup' | 'createGroup' | 'addToRoom';
