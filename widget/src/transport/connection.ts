// The WebSocket link as one state machine: disconnected → connecting → connected. All changes go
// through setState; every way down goes through disconnect(code, reason, reconnect), which goes
// to `connecting` when it will retry and to `disconnected` only when it will not.
// The close codes come from their own leaf, so nothing else of the protocol module is in the startup chunk.
import { CloseCode, shouldReconnect } from '@imbachat/server/close-codes';
import type { ClientFrame, ServerFrame } from '@imbachat/server/protocol';
import { StreamPosition } from './stream.ts';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.ts';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

/** One change of state. `retrying` is true while connecting after a failed attempt or a drop
 *  (not on the first try), which is when a person should be told. */
export interface StateChange {
  oldState: ConnectionState;
  newState: ConnectionState;
  retrying: boolean;
  code?: number;
  reason?: string;
}

/** The part of the browser WebSocket this module uses (the `ws` package's client has it too). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string) => SocketLike;

export interface ConnectionOptions {
  url: string;
  token(): string;
  /** Asks the page for a new token after the server refused the current one; null when it has none. */
  refreshToken(): Promise<string | null>;
  onState(change: StateChange): void;
  onFrame(frame: ServerFrame): void;
  /** Called on each ready frame, before the state becomes connected. */
  onReady?(resumed: boolean): void;
  /** The link stopped for good (e.g. token_expired with no getToken, widget_not_found). */
  onStop(code: string): void;
  socket?: SocketFactory;
  backoff?: BackoffOptions;
  random?: () => number;
  /** App-level ping period; the server's heartbeat_ms lowers it. */
  pingIntervalMs?: number;
  /** How long to wait for a pong, or for ready after connecting, before calling the link dead. */
  timeoutMs?: number;
  /** Where the stream is: a tab that leads the link shares the one its tabs keep (transport/tabs.ts),
   *  so a new leader resumes where every tab got to. Its own, from nothing, otherwise. */
  position?: StreamPosition;
}

/** Local reasons for going down, kept apart from the server's codes. */
export const LocalClose = { NO_PONG: 3001, READY_TIMEOUT: 3002, CLIENT: 1000 } as const;

export class Connection {
  state: ConnectionState = 'disconnected';
  /** Reconnect attempts since the last successful ready; reset to 0 on success. */
  attempt = 0;
  /** The highest event_id applied here (a position in the widget's log, which grows but skips the
   *  events of other people's dialogs); sent as resume_from on reconnect. */
  readonly #position: StreamPosition;
  /** The highest event applied. Set, the stream starts there. */
  get lastEventId(): number | null {
    return this.#position.last;
  }
  set lastEventId(at: number | null) {
    this.#position.reset(at);
  }
  #ws: SocketLike | null = null;
  #stopped = false;
  #resumeSent = false;
  #authRefusals = 0;
  /** Connecting again after a failure (until the next ready). */
  #retrying = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;

  readonly #opts: ConnectionOptions;

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
    this.#position = opts.position ?? new StreamPosition();
  }

  connect(): void {
    if (this.#stopped || this.#ws) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#setState('connecting');
    const make = this.#opts.socket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let ws: SocketLike;
    try {
      ws = make(this.#opts.url);
    } catch {
      this.disconnect(1006, 'connect_failed', true);
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      const resume = this.#position.resumeFrom;
      this.#resumeSent = resume !== null;
      this.send(resume === null ? { type: 'auth', token: this.#opts.token() } : { type: 'auth', token: this.#opts.token(), resume_from: resume });
    };
    ws.onmessage = (ev) => {
      if (this.#ws === ws) this.#receive(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.#ws === ws) this.#closed(ev.code, ev.reason);
    };
    ws.onerror = () => {};
    this.#armDeadline(LocalClose.READY_TIMEOUT, 'ready_timeout');
  }

  /** Skips the wait of a scheduled reconnect (the browser came back online, a token arrived). */
  retryNow(): void {
    if (this.#retryTimer !== undefined) this.connect();
  }

  disconnect(code: number, reason: string, reconnect: boolean): void {
    this.#teardown(code, reason);
    const retry = reconnect && !this.#stopped;
    this.#setState(retry ? 'connecting' : 'disconnected', { code, reason }, retry);
    if (retry) {
      const delay = backoffDelay(this.attempt++, this.#opts.backoff ?? defaultBackoff, this.#opts.random);
      this.#retryTimer = setTimeout(() => this.connect(), delay);
    }
  }

  /** Drops the socket and the timers; the caller says what state follows. */
  #teardown(code: number, reason: string): void {
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
      } catch {
        // already closed
      }
    }
  }

  /** Ends the link for good (user switch, page teardown). */
  close(): void {
    this.#stopped = true;
    this.disconnect(LocalClose.CLIENT, 'client_closed', false);
  }

  /** The only place the state changes. A retry is reported even when the state stays `connecting`. */
  #setState(state: ConnectionState, extra: { code?: number; reason?: string } = {}, retrying = false): void {
    const oldState = this.state;
    if (oldState === state && !retrying) return;
    this.state = state;
    this.#retrying = state === 'connecting' && (retrying || this.#retrying);
    this.#opts.onState({ oldState, newState: state, retrying: this.#retrying, ...extra });
  }

  /** Sends a frame when connected (auth goes out before that); false when it could not. */
  send(frame: ClientFrame): boolean {
    if (!this.#ws || (this.state !== 'connected' && frame.type !== 'auth')) return false;
    try {
      this.#ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false; // the close event follows
    }
  }

  #receive(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') return;
    if (frame.type === 'ready') {
      // resumed: the missed events follow. Otherwise the stream starts afresh here and the app
      // refetches its state over REST.
      this.#position.track(frame);
      this.#clearTimers();
      this.#opts.onReady?.(frame.resumed === true && this.lastEventId !== null && this.#resumeSent);
      this.attempt = 0;
      this.#authRefusals = 0;
      this.#setState('connected');
      this.#startPing(frame.heartbeat_ms);
    } else if (frame.type === 'pong') {
      clearTimeout(this.#deadlineTimer);
      this.#deadlineTimer = undefined;
      return;
    }
    if (this.state !== 'connected') return;
    // Ids are not consecutive, and with several nodes not always in order: skip only what was applied.
    if (frame.type !== 'ready' && !this.#position.track(frame)) return;
    this.#opts.onFrame(frame);
  }

  #closed(code: number, reason: string): void {
    if (code === CloseCode.AUTH_FAILED) {
      // The token was refused: ask the page for a fresh one (still connecting, honestly); without
      // one, stop rather than loop.
      this.#teardown(code, reason);
      this.#setState('connecting', { code, reason }, true);
      if (++this.#authRefusals > 2) return this.#stop(reason || 'token_invalid');
      void this.#opts.refreshToken().then(
        (token) => {
          if (this.#stopped) return;
          if (token === null) this.#stop(reason || 'token_expired');
          else this.connect();
        },
        () => this.#stop(reason || 'token_expired'),
      );
      return;
    }
    if (!shouldReconnect(code)) return this.#stop(reason || `closed_${code}`);
    this.disconnect(code, reason, true);
  }

  #stop(code: string): void {
    this.#stopped = true;
    this.disconnect(LocalClose.CLIENT, code, false);
    this.#opts.onStop(code);
  }

  #startPing(heartbeatMs: number): void {
    const every = Math.min(this.#opts.pingIntervalMs ?? 25_000, heartbeatMs > 0 ? heartbeatMs : Infinity);
    this.#pingTimer = setInterval(() => {
      this.send({ type: 'ping' });
      if (this.#deadlineTimer === undefined) this.#armDeadline(LocalClose.NO_PONG, 'no_pong');
    }, every);
  }

  #armDeadline(code: number, reason: string): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = setTimeout(() => this.disconnect(code, reason, true), this.#opts.timeoutMs ?? 10_000);
  }

  #clearTimers(): void {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#deadlineTimer);
    clearInterval(this.#pingTimer);
    this.#retryTimer = this.#deadlineTimer = this.#pingTimer = undefined;
  }
}
