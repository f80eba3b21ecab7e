// One WebSocket's session, as explicit states:
//   authenticating → verifying (auth frame received) → catching_up → live → closed
// While catching up (after auth, or after the bus reported a gap) live messages are held; the log
// is read from the last position this socket got, then the held messages go out, skipping every
// event already sent, so no event is ever sent twice on one socket and none is skipped.
import { fileLinks } from '../files/links.ts';
import { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { TokenCache } from '../auth/token.ts';
import type { BusMessage } from '../bus/types.ts';
import type { DialogService } from '../dialogs/service.ts';
import { AppError } from '../errors.ts';
import type { WidgetCache } from '../http/tenant.ts';
import type { MessageService } from '../messages/service.ts';
import type { LoggedEvent, Store, WidgetRow } from '../store/types.ts';
import { countWsClosedByServer, observeDelivery } from '../ops/metrics.ts';
import { type RateGuard, rateLimitedFrame } from '../limits/guard.ts';
import type { UserSocketCaps } from '../ops/socket-caps.ts';
import type { UsersDirectory } from '../users/directory.ts';
import type { TimerHandle, Timers } from '../util/timers.ts';
import { eventFrame, serialise } from './frames.ts';
import type { Hub, HubSession } from './hub.ts';
import type { PresenceService } from './presence.ts';
import { CloseCode, MAX_BAD_FRAMES, MAX_REPLAY_EVENTS, type ServerFrame } from './protocol.ts';
import { clientFrame } from './schema.ts';
import { SentEvents } from './sent-events.ts';
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
  /**
   * Bytes queued on one socket (ws.bufferedAmount: everything written and not yet taken by the
   * kernel) beyond which it is dropped as too slow. Every frame counts, error frames included.
   */
  maxBufferedBytes: number;
  /** Sockets per user: admitting one over the cap closes the user's oldest. */
  caps: UserSocketCaps<SocketSession>;
  /** Rate limits of connecting (per user, at auth) and of typing frames. */
  limits: RateGuard;
  /** The bus delivers a widget's events in commit order (EventBus.ordered); false: sockets settle. */
  ordered: boolean;
}

export type SessionState = 'authenticating' | 'verifying' | 'catching_up' | 'live' | 'closed';

/** setTimeout's ceiling; tokens expiring later are simply not timed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * Frames waiting in the inbox beyond which the socket stops being read until it drains: a client
 * sending faster than its frames are handled fills the kernel's buffers, not the server's memory.
 */
const INBOX_PAUSE_AT = 32;
/**
 * A socket closed by the server for misbehaving (too slow, too many bad frames) is cut this long
 * after its close frame: a client that does not read never answers it, and ws would wait 30 s.
 */
const FORCED_CLOSE_GRACE_MS = 2_000;
let connectionCounter = 0;

export class SocketSession implements HubSession {
  state: SessionState = 'authenticating';
  userId = '';
  /** Answered the last heartbeat ping (read by the endpoint's heartbeat). */
  alive = true;
  /** Where this socket's stream stands: which events went out (sent-events.ts). */
  private readonly sent = new SentEvents();
  /** Live messages held while catching up; null when live. */
  private held: BusMessage[] | null = null;
  private timer: TimerHandle | undefined;
  private joined = false;
  private readonly connectionId = String(++connectionCounter);
  /** Frames wait here for their widget check, so they are still handled in arrival order. */
  private inbox: Promise<void> = Promise.resolve();
  /** Frames in the inbox not handled yet (bounded by pausing the socket, see INBOX_PAUSE_AT). */
  private pending = 0;
  /** Malformed or unknown frames received; each of the first MAX_BAD_FRAMES gets an error frame. */
  private badFrames = 0;
  /** Over the bad-frame limit: frames still arriving are dropped unread. */
  private dropping = false;
  /** The server closed this socket; whatever it still sends is dropped unread. */
  private closing = false;
  private admitted = false;
  /** The most bytes ever queued on this socket (tests and the endpoint's stats read it). */
  peakQueuedBytes = 0;
  /** The last typing frame was refused by the rate limit (the refusal was answered once). */
  private typingRefused = false;

  constructor(
    private readonly ws: WebSocket,
    readonly widget: WidgetRow,
    private readonly d: SessionDeps,
    /** The client's address key (RateGuard.clientIp), for the per-address buckets; null when unknown. */
    private readonly clientIp: string | null = null,
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

  /**
   * Where the bus is not ordered, the heartbeat calls this with the widget log's head: a socket
   * that has not read the log up to it reads it now, and sends what no publish brought (a publish
   * overtaken, or lost with the node that died between its commit and its publish). So every
   * event reaches every open socket within a heartbeat, and `synced` tells the client how far.
   */
  settle(head: number): void {
    if (!this.d.ordered && head > this.sent.floor) this.resync();
  }

  resync(): void {
    if (this.state !== 'live') return;
    this.held = [];
    this.state = 'catching_up';
    // From the floor, not the highest sent: an event below that one may not have come yet.
    void this.catchUp(this.sent.floor).catch((err) => this.fail(err));
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
    if (this.ws.readyState !== WebSocket.OPEN && this.ws.readyState !== WebSocket.CONNECTING) return;
    this.closing = true;
    countWsClosedByServer(reason);
    this.ws.close(code, reason);
  }

  /** Closes a socket that misbehaves, and cuts it if it does not answer the close in time. */
  private forceClose(code: number, reason: string): void {
    if (this.closing || this.ws.readyState === WebSocket.CLOSED) return;
    this.close(code, reason);
    const cut = setTimeout(() => this.ws.terminate(), FORCED_CLOSE_GRACE_MS);
    this.ws.once('close', () => clearTimeout(cut));
  }

  private send(frame: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // The frame about to be queued counts too: queued bytes never pass the limit. Its exact byte
    // length is computed only near the limit (a UTF-16 unit is at most 3 bytes of UTF-8).
    const queued = this.ws.bufferedAmount;
    if (queued + frame.length * 3 > this.d.maxBufferedBytes && queued + Buffer.byteLength(frame) > this.d.maxBufferedBytes) {
      return this.forceClose(CloseCode.SLOW_CONSUMER, 'slow_consumer');
    }
    this.ws.send(frame);
    const after = this.ws.bufferedAmount;
    if (after > this.peakQueuedBytes) this.peakQueuedBytes = after;
  }

  private sendMessage(m: BusMessage): void {
    if (m.eventId !== undefined) {
      if (this.sent.has(m.eventId)) return;
      this.sent.take(m.eventId);
    }
    this.send(m.frame);
    if (m.receipt && m.committedAt !== undefined) observeDelivery((this.d.now() - m.committedAt) / 1000);
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
    if (this.closing || this.dropping || this.state === 'closed') return;
    const frame = parseFrame(text, isBinary);
    // Counted on arrival: once over the limit the rest of a flood is dropped unread instead of
    // queueing behind the frames still waiting for their answer (a flood was once answered with
    // an error frame for each of 1.2M frames). The close comes after the earlier answers.
    if (frame === null && ++this.badFrames > MAX_BAD_FRAMES) {
      this.dropping = true;
      this.inbox = this.inbox.then(() => this.forceClose(CloseCode.TOO_MANY_BAD_FRAMES, 'too_many_bad_frames'));
      return;
    }
    if (++this.pending >= INBOX_PAUSE_AT && !this.ws.isPaused) this.ws.pause();
    this.inbox = this.inbox
      .then(() => this.widgetStillServed())
      .then((served) => (served ? this.onFrame(frame) : this.close(CloseCode.WIDGET_NOT_FOUND, 'widget_not_found')))
      .catch((err: unknown) => this.fail(err))
      .then(() => {
        if (--this.pending === 0 && this.ws.isPaused) this.ws.resume();
      });
  }

  private async widgetStillServed(): Promise<boolean> {
    try {
      return (await this.d.widgets.find(this.widget.devId)).id === this.widget.id;
    } catch (err) {
      if (err instanceof AppError && err.code === 'widget_not_found') return false;
      throw err;
    }
  }

  /**
   * Frames after auth are handled one at a time, in the order they came: a typing.stop must not
   * overtake the typing.start before it (on PostgreSQL the start's membership query takes longer
   * than the stop, and the pair used to arrive reversed, leaving the partner's indicator on). The
   * inbox awaits the returned promise, so a slow store also slows reading (INBOX_PAUSE_AT).
   */
  private onFrame(frame: ClientFrame | null): Promise<void> | void {
    if (this.state === 'verifying' || this.state === 'closed' || this.closing) return;
    if (this.state === 'authenticating') {
      if (frame?.type !== 'auth') return this.close(CloseCode.PROTOCOL_ERROR, 'protocol_error');
      this.d.timers.clearTimeout(this.timer);
      this.state = 'verifying';
      void this.authenticate(frame.token, frame.resume_from).catch((err) => this.fail(err));
      return;
    }
    if (frame === null) {
      return this.send(serialise({ type: 'error', code: 'bad_frame', message: 'Unknown or malformed frame; see the protocol documentation.' }));
    }
    return this.handle(frame).catch((err: unknown) => {
      this.d.log.error({ err }, 'websocket frame failed');
      this.send(serialise({ type: 'error', code: 'internal_error', message: 'The frame could not be handled; try again.' }));
    });
  }

  private async handle(f: ClientFrame): Promise<void> {
    const { typing } = this.d;
    switch (f.type) {
      case 'ping':
        return this.send(serialise({ type: 'pong' }));
      case 'typing.start':
        if (!(await this.typingAllowed())) return;
        if (!(await typing.start(this.widgetId, this.userId, f.dialog_id))) {
          this.send(serialise({ type: 'error', code: 'dialog_not_found', message: 'No such dialog, or you are not one of its members.' }));
        }
        return;
      case 'typing.stop':
        if (!(await this.typingAllowed())) return;
        return typing.stop(this.widgetId, this.userId, f.dialog_id);
      case 'auth':
        return this.close(CloseCode.PROTOCOL_ERROR, 'protocol_error');
    }
  }

  /**
   * Typing frames over the limit are dropped, not queued; only the first of a run of refusals is
   * answered (an error frame with retry_after_ms), so a flood gets one answer, not one per frame.
   */
  private async typingAllowed(): Promise<boolean> {
    const verdict = await this.d.limits.take(this.widget, 'typing', { userId: this.userId, ip: this.clientIp });
    if (verdict.allowed) {
      this.typingRefused = false;
      return true;
    }
    if (!this.typingRefused) this.send(serialise(rateLimitedFrame(verdict)));
    this.typingRefused = true;
    return false;
  }

  private async authenticate(token: string, resumeFrom: number | undefined): Promise<void> {
    const { d } = this;
    const verified = await d.tokens.verify(token, this.widget.secretKey, d.now(), d.tokenLeewayS);
    this.userId = verified.userId;
    // Before the users-info lookup: a reconnect loop must not become a loop of host calls.
    const gate = await d.limits.take(this.widget, 'connect', { userId: this.userId });
    if (this.state !== 'verifying') return; // closed meanwhile
    if (!gate.allowed) {
      this.send(serialise(rateLimitedFrame(gate)));
      return this.close(CloseCode.RATE_LIMITED, 'rate_limited');
    }
    const { user, status } = await d.directory.get(this.widget, this.userId);
    if (this.state !== 'verifying') return; // closed meanwhile
    if (status === 'missing') return this.close(CloseCode.USER_NOT_FOUND, 'user_not_found');
    this.admitted = true;
    for (const old of d.caps.admit(this)) old.close(CloseCode.TOO_MANY_CONNECTIONS, 'too_many_connections');
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
    const ready: ServerFrame = { type: 'ready', user, heartbeat_ms: d.heartbeatMs, last_event_id: head, resumed, ...(!d.ordered && { ordered: false as const }) };
    this.send(serialise(ready));
    await this.sendLogged(replay);
    this.sent.settle(head);
    if (resumed) this.sendSynced();
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
    await this.sendLogged(page.events.filter((e) => !this.sent.has(e.eventId)));
    this.sent.settle(page.head);
    this.sendSynced();
    this.goLive();
  }

  /** After a log read, where the bus is not ordered: the client may resume from here. */
  private sendSynced(): void {
    if (!this.d.ordered) this.send(serialise({ type: 'synced', last_event_id: this.sent.floor }));
  }

  /** Events read from the log, as frames: the same bytes as live, and to the same people. */
  private async sendLogged(events: LoggedEvent[]): Promise<void> {
    for (const e of events) {
      if (e.kind === 'delivered' && e.userId === this.userId) continue; // as live: only the others get it
      const frame = e.kind === 'dialog' ? await this.d.dialogs.dialogFrame(this.widget, this.userId, e) : eventFrame(e, e.message, fileLinks(this.widget, this.d.now()));
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
    if (this.admitted) this.d.caps.release(this);
    if (!wasJoined) return;
    this.d.hub.leave(this);
    this.d.presence.disconnected(this.widgetId, this.userId, this.connectionId);
  }
}

const sessionOf = new WeakMap<WebSocket, SocketSession>();

type ClientFrame = ReturnType<typeof clientFrame.parse>;

/** The frame, or null when it is not one the protocol knows (binary, not JSON, wrong shape). */
function parseFrame(text: string, isBinary: boolean): ClientFrame | null {
  if (isBinary) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = clientFrame.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

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
