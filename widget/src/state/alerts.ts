// Tells the person about messages that arrive while they are not looking: the unread count in the
// page title while the tab is hidden, a short sound, and (once they opt in) a browser notification.
import { signal } from '@preact/signals-core';

/** The desktop-notification control: not offered, off (ask on click), on, or blocked by the browser. */
export type DesktopState = 'unsupported' | 'off' | 'on' | 'denied';

type Prefs = Pick<Storage, 'getItem' | 'setItem'>;

export interface AlertsOptions {
  /** e.g. "imbachat:{dev_id}:{user_id}": where the person's choices are remembered. */
  prefix: string;
  win?: (Window & typeof globalThis) | null;
  storage?: Prefs | null;
}

export interface Incoming {
  title: string;
  body: string;
  tag: string;
  /** The panel is open (on any view) and the tab visible. */
  watching: boolean;
  hidden: boolean;
  /** This tab is the one of the browser's tabs to make the sound or show the notification. */
  here: boolean;
  onClick(): void;
}

const GESTURES = ['pointerdown', 'keydown', 'touchend'] as const;

export class Alerts {
  /** Load options: the page may turn these off. */
  readonly titleBadge = signal(true);
  readonly soundAllowed = signal(true);
  readonly notificationsAllowed = signal(true);
  /** The person's choices, remembered in localStorage. */
  readonly muted = signal(false);
  readonly desktop = signal<DesktopState>('unsupported');
  readonly #win: (Window & typeof globalThis) | null;
  readonly #storage: Prefs | null;
  #audio: AudioContext | null = null;
  /** Browsers let a page make sound only after the person interacted with it: a click, tap or
   *  key press seen by the widget's own listeners, or one before they were there (this part loads
   *  when the browser is idle; the browser's sticky activation remembers an earlier one). */
  #unlocked = false;
  #lastBeep = 0;
  #savedTitle: string | null = null;
  #shownTitle: string | null = null;
  readonly #unlock = () => {
    this.#unlocked = true;
    if (this.#audio?.state === 'suspended') void this.#audio.resume().catch(() => {});
  };

  readonly #opts: AlertsOptions;

  constructor(opts: AlertsOptions) {
    this.#opts = opts;
    this.#win = opts.win !== undefined ? opts.win : typeof window === 'undefined' ? null : window;
    this.#storage = opts.storage !== undefined ? opts.storage : localStore(this.#win);
    this.muted.value = this.#pref('sound') === 'off';
    this.refreshDesktop();
    for (const type of GESTURES) this.#win?.addEventListener(type, this.#unlock, true);
    this.#win?.addEventListener('storage', this.#onStorage);
  }

  /** Muted in another tab (localStorage tells every tab of the site): muted here too. */
  readonly #onStorage = (e: StorageEvent) => {
    if (e.key === `${this.#opts.prefix}:sound`) this.muted.value = e.newValue === 'off';
    else if (e.key === `${this.#opts.prefix}:desktop`) this.refreshDesktop();
  };

  dispose(): void {
    this.#win?.removeEventListener('storage', this.#onStorage);
    for (const type of GESTURES) this.#win?.removeEventListener(type, this.#unlock, true);
    this.setTitle(false, 0);
    void this.#audio?.close().catch(() => {});
    this.#audio = null;
  }

  setMuted(muted: boolean): void {
    this.muted.value = muted;
    this.#setPref('sound', muted ? 'off' : 'on');
  }

  /** Turns browser notifications on: asks for permission here, in the person's click, never before. */
  async enableDesktop(): Promise<void> {
    const N = this.#win?.Notification;
    if (!N) return;
    let permission = N.permission;
    if (permission === 'default') {
      try {
        permission = await N.requestPermission();
      } catch {
        permission = N.permission;
      }
    }
    if (permission === 'granted') this.#setPref('desktop', 'on');
    this.refreshDesktop();
  }

  disableDesktop(): void {
    this.#setPref('desktop', 'off');
    this.refreshDesktop();
  }

  refreshDesktop(): void {
    const N = this.#win?.Notification;
    if (!N || !this.notificationsAllowed.peek()) this.desktop.value = 'unsupported';
    else if (N.permission === 'denied') this.desktop.value = 'denied';
    else this.desktop.value = N.permission === 'granted' && this.#pref('desktop') === 'on' ? 'on' : 'off';
  }

  /** A message from someone else arrived. */
  incoming(m: Incoming): void {
    if (!m.here) return;
    if (!m.watching) this.#beep();
    if (m.hidden && this.desktop.peek() === 'on') this.#notify(m);
  }

  /** "(3) Page title" while the tab is hidden and something is unread; the page's own title otherwise. */
  setTitle(hidden: boolean, unread: number): void {
    const doc = this.#win?.document;
    if (!doc) return;
    // The page changed its title while we showed ours: theirs is the one to come back to.
    if (this.#shownTitle !== null && doc.title !== this.#shownTitle) this.#savedTitle = doc.title;
    if (this.titleBadge.value && hidden && unread > 0) {
      this.#savedTitle ??= doc.title;
      this.#shownTitle = `(${unread > 99 ? '99+' : unread}) ${this.#savedTitle}`;
      doc.title = this.#shownTitle;
    } else if (this.#savedTitle !== null) {
      if (doc.title === this.#shownTitle) doc.title = this.#savedTitle;
      this.#savedTitle = this.#shownTitle = null;
    }
  }

  /** Two soft notes, made on the spot with WebAudio (nothing to download); at most one a second. */
  #beep(): void {
    if (!this.soundAllowed.peek() || this.muted.peek() || !this.#win) return;
    const Ctx = this.#win.AudioContext;
    if (!(this.#unlocked ||= this.#win.navigator?.userActivation?.hasBeenActive === true) || !Ctx) return;
    const now = Date.now();
    if (now - this.#lastBeep < 1000) return;
    this.#lastBeep = now;
    try {
      const ctx = (this.#audio ??= new Ctx());
      if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
      const t = ctx.currentTime;
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.12, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
      gain.connect(ctx.destination);
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(880, t);
      osc.frequency.setValueAtTime(1175, t + 0.1);
      osc.connect(gain);
      osc.start(t);
      osc.stop(t + 0.32);
    } catch {
      // no audio output: silence is fine
    }
  }

  #notify(m: Incoming): void {
    const N = this.#win?.Notification;
    if (!N || N.permission !== 'granted') return;
    try {
      const n = new N(m.title, { body: m.body.slice(0, 200), tag: m.tag });
      n.onclick = () => {
        this.#win?.focus();
        m.onClick();
        n.close();
      };
    } catch {
      // Some browsers (Android Chrome) only allow notifications from a service worker.
    }
  }

  #pref(name: string): string | null {
    try {
      return this.#storage?.getItem(`${this.#opts.prefix}:${name}`) ?? null;
    } catch {
      return null;
    }
  }

  #setPref(name: string, value: string): void {
    try {
      this.#storage?.setItem(`${this.#opts.prefix}:${name}`, value);
    } catch {
      // storage blocked: the choice lasts for this page
    }
  }
}

function localStore(win: (Window & typeof globalThis) | null): Prefs | null {
  try {
    return win?.localStorage ?? null;
  } catch {
    return null;
  }
}
