// One WebSocket's session, as explicit states:
//   authenticating → verifying (auth frame received) → catching_up → live → closed
// While catching up (after auth, or after the bus reported a gap) live messages are held; the log
// is read from the last position this socket got, then the held messages go out, skipping every
// event already sent, so no event is ever sent twice on one socket and none is skipped.
import { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { TokenCache } from '../auth/token.ts';
import type { BusMessage } from '../bus/types.ts';
import type { DialogService } from '../dialogs/service.ts';
import { AppError } from '../errors.ts';
import type { WidgetCache } from '../http/tenant.ts';
import type { MessageService } from '../messages/service.ts';
import type { LoggedEvent, Store, WidgetRow } from '../store/types.ts';
import type { UsersDirectory } from '../users/directory.ts';
import type { TimerHandle, Timers } from '../util/timers.ts';
import { eventFrame, serialise } from './frames.ts';
import type { Hub, HubSession } from './hub.ts';
import type { PresenceService } from './presence.ts';
import { CloseCode, MAX_REPLAY_EVENTS, type ServerFrame } from './protocol.ts';
import { authFrame, clientFrame } from './schema.ts';
import type { TypingService } from './typing.ts';

export interface SessionDeps {
  store: Store;
  /** Looked up again for every frame, so a deleted widget stops being served (see onMessage). */
  widgets: WidgetCache;
  hub: Hub;
  tokens: TokenCache;
  directory: UsersDirectory;
  dialogs: DialogService;
  messages: MessageService;
  presence: PresenceService;
  typing: TypingService;
  log: Logger;
  now: () => number;
  /** The auth timeout and the token-expiry close run on these; the heartbeat and shutdown's wait keep real time. */
  timers: Timers;
  tokenLeewayS: number;
  heartbeatMs: number;
  authTimeoutMs: number;
  /** Bytes queued on one socket beyond which it is dropped as too slow. */
  maxBufferedBytes: number;
}

export type SessionState = 'authenticating' | 'verifying' | 'catching_up' | 'live' | 'closed';

/** setTimeout's ceiling; tokens expiring later are simply not timed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
let connectionCounter = 0;

export class SocketSession implements HubSession {
  state: SessionState = 'authenticating';
  userId = '';
  /** Answered the last heartbeat ping (read by the endpoint's heartbeat). */
  alive = true;
  /** The highest event position sent on this socket; nothing at or below it is sent again. */
  private lastSent = 0;
  /** Live messages held while catching up; null when live. */
  private held: BusMessage[] | null = null;
  private timer: TimerHandle | undefined;
  private joined = false;
  private readonly connectionId = String(++connectionCounter);
  /** Frames wait here for their widget check, so they are still handled in arrival order. */
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    readonly widget: WidgetRow,
    private readonly d: SessionDeps,
  ) {
    this.timer = d.timers.setTimeout(closeFor, d.authTimeoutMs, this, CloseCode.AUTH_TIMEOUT, 'auth_timeout');
    // Shared listeners, the session found by its socket: no closures kept per connection.
    sessionOf.set(ws, this);
    ws.on('message', onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('close', onSocketClose);
    ws.on('error', onSocketError);
  }

  get widgetId(): number {
    return this.widget.id;
  }

  deliver(m: BusMessage): void {
    if (this.held) this.held.push(m);
    else if (this.state === 'live') this.sendMessage(m);
  }

  resync(): void {
    if (this.state !== 'live') return;
    this.held = [];
    this.state = 'catching_up';
    void this.catchUp(this.lastSent).catch((err) => this.fail(err));
  }

  logDebug(message: string): void {
    this.d.log.debug({ err: message }, 'websocket error');
  }

  ping(): void {
    this.ws.ping();
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Closes with a reason, terminating the socket if the client does not answer in time. */
  goodbye(code: number, reason: string, waitMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      const kill = setTimeout(() => this.ws.terminate(), waitMs);
      this.ws.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      this.ws.close(code, reason);
    });
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
  }

  private send(frame: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.d.maxBufferedBytes) return this.close(CloseCode.SLOW_CONSUMER, 'slow_consumer');
    this.ws.send(frame);
  }

  private sendMessage(m: BusMessage): void {
    if (m.eventId !== undefined) {
      if (m.eventId <= this.lastSent) return;
      this.lastSent = m.eventId;
    }
    this.send(m.frame);
  }

  /**
   * @internal the socket's message listener. A frame is handled only while the widget this socket
   * was opened for still exists: once it is deleted (or deleted and created anew under the same
   * dev_id, which gives it a new id), the next frame closes the socket with 4500
   * widget_not_found. The lookup goes through the widget cache, so it costs a map lookup and
   * notices a deletion by another process (the CLI) within the cache's second.
   */
  onMessage(text: string, isBinary: boolean): void {
    this.alive = true;
    this.inbox = this.inbox
      .then(() => this.widgetStillServed())
      .then((served) => (served ? this.onFrame(text, isBinary) : this.close(CloseCode.WIDGET_NOT_FOUND, 'widget_not_found')))
      .catch((err: unknown) => this.fail(err));
  }

  private async widgetStillServed(): Promise<boolean> {
    try {
      return (await this.d.widgets.find(this.widget.devId)).id === this.widget.id;
    } catch (err) {
      if (err instanceof AppError && err.code === 'widget_not_found') return false;
      throw err;
    }
  }

  private onFrame(text: string, isBinary: boolean): void {
    let raw: unknown;
    try {
      raw = isBinary ? undefined : JSON.parse(text);
    } catch {
      raw = undefined;
    }
    if (this.state === 'verifying' || this.state === 'closed') return;
    if (this.state === 'authenticating') {
      const auth = authFrame.safeParse(raw);
      if (!auth.success) return this.close(CloseCode.PROTOCOL_ERROR, 'protocol_error');
      this.d.timers.clearTimeout(this.timer);
      this.state = 'verifying';
      void this.authenticate(auth.data.token, auth.data.resume_from).catch((err) => this.fail(err));
      return;
    }
    const parsed = clientFrame.safeParse(raw);
    if (!parsed.success) {
      return this.send(serialise({ type: 'error', code: 'bad_frame', message: 'Unknown or malformed frame; see the protocol documentation.' }));
    }
    void this.handle(parsed.data).catch((err) => {
      this.d.log.error({ err }, 'websocket frame failed');
      this.send(serialise({ type: 'error', code: 'internal_error', message: 'The frame could not be handled; try again.' }));
    });
  }

  private async handle(f: ReturnType<typeof clientFrame.parse>): Promise<void> {
    const { typing } = this.d;
    switch (f.type) {
      case 'ping':
        return this.send(serialise({ type: 'pong' }));
      case 'typing.start':
        if (!(await typing.start(this.widgetId, this.userId, f.dialog_id))) {
          this.send(serialise({ type: 'error', code: 'dialog_not_found', message: 'No such dialog, or you are not one of its members.' }));
        }
        return;
      case 'typing.stop':
        return typing.stop(this.widgetId, this.userId, f.dialog_id);
      case 'auth':
        return this.close(CloseCode.PROTOCOL_ERROR, 'protocol_error');
    }
  }

  private async authenticate(token: string, resumeFrom: number | undefined): Promise<void> {
    const { d } = this;
    const verified = await d.tokens.verify(token, this.widget.secretKey, d.now(), d.tokenLeewayS);
    this.userId = verified.userId;
    const { user, status } = await d.directory.get(this.widget, this.userId);
    if (this.state !== 'verifying') return; // closed meanwhile
    if (status === 'missing') return this.close(CloseCode.USER_NOT_FOUND, 'user_not_found');
    this.state = 'catching_up';
    this.held = [];
    this.joined = true;
    // Subscribed first, read second: whatever commits in between is both held and in the read,
    // and the position check in sendMessage drops the second copy.
    await d.hub.join(this);
    void d.presence.connected(this.widgetId, this.userId, this.connectionId).catch((err) => d.log.error({ err }, 'could not record presence'));
    let resumed = false;
    let replay: LoggedEvent[] = [];
    let head: number;
    if (resumeFrom !== undefined) {
      const page = await d.store.readEvents(this.widgetId, this.userId, resumeFrom, MAX_REPLAY_EVENTS);
      resumed = page.complete;
      replay = page.events;
      head = page.head;
    } else {
      head = await d.store.logHead(this.widgetId);
    }
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.send(serialise({ type: 'ready', user, heartbeat_ms: d.heartbeatMs, last_event_id: head, resumed } satisfies ServerFrame));
    await this.sendLogged(replay);
    this.lastSent = head;
    this.goLive();
    void d.messages.deliveredAll(this.widgetId, this.userId).catch((err) => d.log.error({ err }, 'could not record deliveries'));
    // The same instant REST starts refusing the token, so a socket never outlives what REST accepts.
    const untilExpiry = (verified.exp + d.tokenLeewayS) * 1000 - d.now();
    if (untilExpiry < MAX_TIMER_MS) this.timer = d.timers.setTimeout(closeFor, Math.max(0, untilExpiry), this, CloseCode.AUTH_FAILED, 'token_expired');
  }

  /** After a gap: everything after `from` from the log, then the held live messages. */
  private async catchUp(from: number): Promise<void> {
    const page = await this.d.store.readEvents(this.widgetId, this.userId, from, MAX_REPLAY_EVENTS);
    if (!page.complete) return this.close(CloseCode.SLOW_CONSUMER, 'resync_required');
    await this.sendLogged(page.events);
    this.lastSent = Math.max(this.lastSent, page.head);
    this.goLive();
  }

  /** Events read from the log, as frames: the same bytes as live, and to the same people. */
  private async sendLogged(events: LoggedEvent[]): Promise<void> {
    for (const e of events) {
      if (e.kind === 'delivered' && e.userId === this.userId) continue; // as live: only the others get it
      const frame = e.kind === 'dialog' ? await this.d.dialogs.dialogFrame(this.widget, this.userId, e) : eventFrame(e, e.message);
      if (frame) this.send(frame);
    }
  }

  private goLive(): void {
    const held = this.held ?? [];
    this.held = null;
    if (this.state === 'closed') return;
    this.state = 'live';
    for (const m of held) this.sendMessage(m);
  }

  private fail(err: unknown): void {
    if (err instanceof AppError) return this.close(CloseCode.AUTH_FAILED, err.code);
    this.d.log.error({ err }, 'websocket session failed unexpectedly');
    this.close(1011, 'internal_error');
  }

  /** @internal the socket's close listener */
  onClosed(): void {
    const wasJoined = this.joined;
    this.state = 'closed';
    this.held = null;
    this.d.timers.clearTimeout(this.timer);
    if (!wasJoined) return;
    this.d.hub.leave(this);
    this.d.presence.disconnected(this.widgetId, this.userId, this.connectionId);
  }
}

const sessionOf = new WeakMap<WebSocket, SocketSession>();

function closeFor(session: SocketSession, code: number, reason: string): void {
  session.close(code, reason);
}
function onSocketMessage(this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  sessionOf.get(this)?.onMessage(data.toString(), isBinary);
}
function onSocketPong(this: WebSocket): void {
  const s = sessionOf.get(this);
  if (s) s.alive = true;
}
function onSocketClose(this: WebSocket): void {
  sessionOf.get(this)?.onClosed();
}
function onSocketError(this: WebSocket, err: Error): void {
  sessionOf.get(this)?.logDebug(err.message);
}
