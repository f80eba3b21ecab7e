// One WebSocket per browser for one user on one site: the tabs elect a leader with a Web Lock,
// the leader holds the only Connection and relays its frames and state changes to the other tabs
// over a BroadcastChannel; the others send through it. When the leader closes, the lock passes to
// another tab, which connects with resume_from = the last event every tab applied, so nothing is
// lost or applied twice. A leader that stops answering (a frozen tab) has its lock stolen.
// Without Web Locks or BroadcastChannel each tab keeps its own Connection (tabs.ts is not used).
import type { ClientFrame, ServerFrame } from '@imbachat/server/protocol';
import { Connection, type ConnectionOptions, type ConnectionState, type StateChange } from './connection.ts';
import { StreamPosition } from './stream.ts';

type Note =
  | { t: 'hello'; from: string }
  | { t: 'welcome'; to: string; change: StateChange | null; ready: ServerFrame | null; lastEventId: number | null }
  | { t: 'frame'; frame: ServerFrame }
  | { t: 'state'; change: StateChange }
  | { t: 'ready'; resumed: boolean }
  | { t: 'stop'; code: string }
  | { t: 'send'; frame: ClientFrame }
  | { t: 'beat' }
  | { t: 'seen'; from: string; visible: boolean }
  | { t: 'bye'; from: string };

/** The leader says it is alive this often; a tab that hears nothing for STEAL_AFTER_MS takes over. */
const BEAT_MS = 1000;
/** Long enough that a busy or throttled background leader is not taken over by mistake. */
const STEAL_AFTER_MS = 8000;

/**
 * Tells the site's other tabs who is signed in here, and calls `onOther` when another tab signs
 * in someone else (the site's session changed under this tab). Returns the way to stop.
 */
export function announceUser(devId: string, userId: string, onOther: () => void): () => void {
  if (typeof BroadcastChannel !== 'function') return () => {};
  const channel = new BroadcastChannel(`imbachat:user:${devId}`);
  channel.onmessage = (ev: MessageEvent<{ user?: unknown }>) => {
    if (typeof ev.data?.user === 'string' && ev.data.user !== userId) onOther();
  };
  channel.postMessage({ user: userId });
  return () => channel.close();
}

export function tabsSupported(): boolean {
  return typeof BroadcastChannel === 'function' && typeof navigator !== 'undefined' && typeof navigator.locks?.request === 'function';
}

export class TabLink {
  state: ConnectionState = 'disconnected';
  readonly #position = new StreamPosition();
  /** The highest event every tab applied: the leader's socket resumes from it. */
  get lastEventId(): number | null {
    return this.#position.last;
  }
  set lastEventId(at: number | null) {
    this.#position.reset(at);
  }
  readonly #id = Math.random().toString(36).slice(2);
  readonly #channel: BroadcastChannel;
  #conn: Connection | null = null;
  #release: (() => void) | null = null;
  #abort = new AbortController();
  #lastChange: StateChange | null = null;
  #lastReady: ServerFrame | null = null;
  #heardAt = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Other tabs' visibility, by tab id. */
  readonly #visible = new Map<string, boolean>();

  readonly #o: ConnectionOptions & { key: string };

  constructor(o: ConnectionOptions & { key: string }) {
    this.#o = o;
    this.#channel = new BroadcastChannel(o.key);
    this.#channel.onmessage = (ev: MessageEvent<Note>) => this.#hear(ev.data);
    // A tab that goes away no longer counts as the visible one.
    globalThis.addEventListener?.('pagehide', this.#bye);
  }

  readonly #bye = () => this.#post({ t: 'bye', from: this.#id });

  get leading(): boolean {
    return this.#conn !== null;
  }

  /** Whether a tab other than this one is visible (it, not this one, should make a sound). */
  otherTabVisible(): boolean {
    for (const v of this.#visible.values()) if (v) return true;
    return false;
  }

  /** This tab's visibility, for the others to decide where a sound plays. */
  setVisible(visible: boolean): void {
    this.#post({ t: 'seen', from: this.#id, visible });
  }

  connect(): void {
    if (this.#closed) return;
    this.#follow({ oldState: this.state, newState: 'connecting', retrying: false });
    this.#post({ t: 'hello', from: this.#id });
    this.#elect(false);
    this.#timer = setInterval(() => {
      if (this.#conn) this.#post({ t: 'beat' });
      else if (Date.now() - this.#heardAt > STEAL_AFTER_MS) this.#elect(true);
    }, BEAT_MS);
  }

  send(frame: ClientFrame): boolean {
    if (this.#conn) return this.#conn.send(frame);
    if (this.state !== 'connected') return false;
    this.#post({ t: 'send', frame });
    return true;
  }

  retryNow(): void {
    this.#conn?.retryNow();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    globalThis.removeEventListener?.('pagehide', this.#bye);
    this.#bye();
    this.#conn?.close();
    this.#conn = null;
    this.#release?.();
    this.#abort.abort();
    this.#channel.close();
    this.#follow({ oldState: this.state, newState: 'disconnected', retrying: false });
  }

  /** Asks for the lock (or takes it from a leader that went silent); holds it until close(). */
  #elect(steal: boolean): void {
    this.#heardAt = Date.now();
    if (steal) this.#abort.abort();
    this.#abort = new AbortController();
    const options: LockOptions = steal ? { steal: true } : { signal: this.#abort.signal };
    navigator.locks
      .request(this.#o.key, options, () => {
        if (this.#closed) return;
        this.#lead();
        return new Promise<void>((resolve) => (this.#release = resolve));
      })
      .catch(() => {
        // Aborted (we stole it meanwhile) or stolen from us: follow the new leader.
        if (this.#conn && !this.#closed && !this.#abort.signal.aborted) this.#abdicate();
      });
  }

  #lead(): void {
    const conn = new Connection({
      ...this.#o,
      onState: (change) => {
        this.#lastChange = change;
        this.#post({ t: 'state', change });
        this.#follow(change);
      },
      // Frames come here once the connection has placed them in the shared position.
      onFrame: (frame) => {
        if (frame.type === 'ready') this.#lastReady = frame;
        this.#post({ t: 'frame', frame });
        this.#o.onFrame(frame);
      },
      onReady: (resumed) => {
        this.#post({ t: 'ready', resumed });
        this.#o.onReady?.(resumed);
      },
      onStop: (code) => {
        this.#post({ t: 'stop', code });
        this.#o.onStop(code);
      },
      // From where every tab got to: the server replays what came after.
      position: this.#position,
    });
    this.#conn = conn;
    conn.connect();
  }

  #abdicate(): void {
    const conn = this.#conn;
    this.#conn = null;
    this.#release = null;
    conn?.close();
    this.#post({ t: 'hello', from: this.#id });
    this.#elect(false); // a candidate again, behind the tab that took over
  }

  #hear(n: Note): void {
    if (this.#closed) return;
    if (n.t === 'seen' || n.t === 'bye') {
      if (n.t === 'seen') this.#visible.set(n.from, n.visible);
      else this.#visible.delete(n.from);
      return;
    }
    if (this.#conn) {
      // The leader answers newcomers and sends for the others.
      if (n.t === 'hello') this.#post({ t: 'welcome', to: n.from, change: this.#lastChange, ready: this.#lastReady, lastEventId: this.lastEventId });
      else if (n.t === 'send') this.#conn.send(n.frame);
      return;
    }
    this.#heardAt = Date.now();
    switch (n.t) {
      case 'welcome':
        if (n.to !== this.#id) return;
        this.lastEventId ??= n.lastEventId;
        if (n.change?.newState === 'connected' && n.ready) {
          this.#o.onReady?.(false); // this tab loads its own state over REST
          this.#o.onFrame(n.ready);
        }
        if (n.change) this.#follow(n.change);
        return;
      case 'frame':
        if (this.#position.track(n.frame)) this.#o.onFrame(n.frame);
        return;
      case 'state':
        return this.#follow(n.change);
      case 'ready':
        return this.#o.onReady?.(n.resumed);
      case 'stop':
        return this.#o.onStop(n.code);
      default:
        return;
    }
  }


  /** This tab's state follows the leader's link (or its own, when it leads). */
  #follow(change: StateChange): void {
    const oldState = this.state;
    if (oldState === change.newState && !change.retrying) return;
    this.state = change.newState;
    this.#o.onState({ ...change, oldState });
  }

  #post(n: Note): void {
    try {
      this.#channel.postMessage(n);
    } catch {
      // closed
    }
  }
}
