// Alerts while the person is not looking: the title count, the sound only after a gesture and not
// when muted, and browser notifications asked for only in the person's click.
import { expect, it } from 'vitest';
import { Alerts } from './alerts.ts';

function fakeWindow(permission: NotificationPermission = 'default') {
  const listeners = new Map<string, () => void>();
  const started: number[] = [];
  const shown: { title: string; body?: string }[] = [];
  let asked = 0;
  class FakeNotification {
    static permission = permission;
    static async requestPermission() {
      asked++;
      FakeNotification.permission = 'granted';
      return 'granted' as const;
    }
    onclick: (() => void) | null = null;
    constructor(title: string, opts?: { body?: string }) {
      shown.push({ title, ...(opts?.body !== undefined ? { body: opts.body } : {}) });
    }
    close() {}
  }
  const param = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
  class FakeAudioContext {
    state = 'running';
    currentTime = 0;
    destination = {};
    createGain() {
      return { gain: param, connect() {} };
    }
    createOscillator() {
      return { type: 'sine', frequency: param, connect() {}, start: () => started.push(1), stop() {} };
    }
    async resume() {}
    async close() {}
  }
  const win = {
    document: { title: 'Shop' },
    Notification: FakeNotification,
    AudioContext: FakeAudioContext,
    addEventListener: (type: string, cb: () => void) => listeners.set(type, cb),
    removeEventListener: (type: string) => listeners.delete(type),
    focus() {},
  };
  return { win: win as unknown as Window & typeof globalThis, gesture: () => listeners.get('pointerdown')?.(), started, shown, asked: () => asked };
}

const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
};
const incoming = (over: Partial<Parameters<Alerts['incoming']>[0]> = {}) => ({ title: 'Alice', body: 'Hi', tag: 't', watching: false, hidden: false, here: true, onClick() {}, ...over });

it('the title shows the unread count only while the tab is hidden, and comes back after', () => {
  const w = fakeWindow();
  const a = new Alerts({ prefix: 'p', win: w.win, storage: memory() });
  a.setTitle(false, 3);
  expect(w.win.document.title).toBe('Shop');
  a.setTitle(true, 3);
  expect(w.win.document.title).toBe('(3) Shop');
  a.setTitle(true, 4);
  expect(w.win.document.title).toBe('(4) Shop');
  a.setTitle(false, 4);
  expect(w.win.document.title).toBe('Shop');
  a.titleBadge.value = false;
  a.setTitle(true, 4);
  expect(w.win.document.title).toBe('Shop');
});

it('a title the page set meanwhile is the one restored', () => {
  const w = fakeWindow();
  const a = new Alerts({ prefix: 'p', win: w.win, storage: memory() });
  a.setTitle(true, 1);
  w.win.document.title = 'Cart (2 items)';
  a.setTitle(true, 2);
  expect(w.win.document.title).toBe('(2) Cart (2 items)');
  a.setTitle(false, 2);
  expect(w.win.document.title).toBe('Cart (2 items)');
});

it('no sound before the person has interacted with the page, nor while watching, nor when muted (remembered)', () => {
  const w = fakeWindow();
  const prefs = memory();
  const a = new Alerts({ prefix: 'p', win: w.win, storage: prefs });
  a.incoming(incoming());
  expect(w.started).toHaveLength(0);
  w.gesture();
  a.incoming(incoming({ watching: true }));
  expect(w.started).toHaveLength(0);
  a.incoming(incoming());
  expect(w.started).toHaveLength(1);
  // Another of the browser's tabs is the one to alert: silence here.
  const other = new Alerts({ prefix: 'q', win: w.win, storage: memory() });
  other.incoming(incoming({ here: false }));
  expect(w.started).toHaveLength(1);
  a.setMuted(true);
  const again = new Alerts({ prefix: 'p', win: w.win, storage: prefs });
  expect(again.muted.value).toBe(true);
});

it('a click before this part loaded unlocks the sound too (the browser remembers it: sticky activation)', () => {
  const w = fakeWindow();
  const activation = { hasBeenActive: false };
  (w.win as unknown as { navigator: unknown }).navigator = { userActivation: activation };
  const a = new Alerts({ prefix: 'p', win: w.win, storage: memory() });
  a.incoming(incoming());
  expect(w.started).toHaveLength(0);
  activation.hasBeenActive = true; // the person clicked the page while the widget's listeners were not there yet
  a.incoming(incoming());
  expect(w.started).toHaveLength(1);
});

it('browser notifications: permission asked only when turned on, shown only while hidden', async () => {
  const w = fakeWindow();
  const a = new Alerts({ prefix: 'p', win: w.win, storage: memory() });
  expect(a.desktop.value).toBe('off');
  a.incoming(incoming({ hidden: true }));
  expect(w.asked()).toBe(0);
  expect(w.shown).toHaveLength(0);
  await a.enableDesktop();
  expect(w.asked()).toBe(1);
  expect(a.desktop.value).toBe('on');
  a.incoming(incoming({ hidden: false }));
  expect(w.shown).toHaveLength(0);
  a.incoming(incoming({ hidden: true, body: 'Are you there?' }));
  expect(w.shown).toEqual([{ title: 'Alice', body: 'Are you there?' }]);
  a.disableDesktop();
  a.incoming(incoming({ hidden: true }));
  expect(w.shown).toHaveLength(1);
});

it('a permission the page already had does not turn notifications on by itself', () => {
  const w = fakeWindow('granted');
  const a = new Alerts({ prefix: 'p', win: w.win, storage: memory() });
  expect(a.desktop.value).toBe('off');
  a.notificationsAllowed.value = false;
  a.refreshDesktop();
  expect(a.desktop.value).toBe('unsupported');
});
