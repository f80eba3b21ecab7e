// Helpers for the live-chat browser tests: a host page per test with any load options, people of
// its own (so parallel tests never share an unread count or a presence), short-lived tokens, and
// spies on what the page cannot show (sound, browser notifications, WebSocket frames).
import { randomUUID } from 'node:crypto';
import { type Browser, type BrowserContext, type Page, type WebSocket, expect } from '@playwright/test';
import { DEMO_USERS, signChatToken } from '@imbachat/demo';

export interface Person {
  id: string;
  name: string;
}

import { stack as live } from './chat.ts';
import { GUEST_PREFIX, guestName } from './host-page.ts';

export { live };
export { unique, restAs as rest } from './chat.ts';

/** Known to the demo site's users-info, so others can open a dialog with them; no other spec uses them. */
export const zoe: Person = { id: String(DEMO_USERS[5]!.id), name: DEMO_USERS[5]!.name };
export const maxi: Person = { id: String(DEMO_USERS[4]!.id), name: DEMO_USERS[4]!.name };

/** Someone only this test knows: the host site knows them as a guest, named after the id. */
export function stranger(label: string): Person {
  const id = `${GUEST_PREFIX}${label}-${randomUUID().slice(0, 8)}`;
  return { id, name: guestName(id) };
}

/** An id the host site does not know at all. */
export function nobody(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export interface WidgetPageOptions {
  /** Extra ImbaChat.load options (titleBadge, sound, lang…). */
  load?: Record<string, unknown>;
  /** Lifetime of the first token, in seconds. */
  ttl?: number;
  /** Give the widget a getToken that fetches /live-token/{id}; `tokens` answers it. */
  getToken?: boolean;
  /** Load the widget from this address instead of the server's (a proxy). */
  server?: string;
  /** getToken calls wait for `releaseTokens()` from the start. */
  holdTokens?: boolean;
  /** Install the sound and Notification spies. */
  spies?: boolean;
  viewport?: { width: number; height: number };
}

export interface WidgetPage {
  context: BrowserContext;
  page: Page;
  /** Frames the page sent and received over the chat WebSocket(s), parsed. */
  sent: { type: string; [k: string]: unknown }[];
  received: { type: string; [k: string]: unknown }[];
  /** getToken calls answered so far; `holdTokens()` makes the next ones wait for `releaseTokens()`. */
  tokenCalls: () => number;
  holdTokens(): void;
  releaseTokens(): void;
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** A browser context on a host page (on the demo site's allowed origin) that embeds the widget for `person`. */
export async function widgetPage(browser: Browser, person: Person, o: WidgetPageOptions = {}): Promise<WidgetPage> {
  const s = live();
  const context = await browser.newContext({ ...(o.viewport ? { viewport: o.viewport } : {}) });
  await context.addInitScript(recordEvents);
  if (o.spies) await context.addInitScript(installSpies);
  let calls = 0;
  let open: () => void = () => {};
  let gate: Promise<void> | null = o.holdTokens ? new Promise((resolve) => (open = resolve)) : null;
  await context.route(`${s.demoUrl}/live-token/**`, async (route) => {
    calls++;
    if (gate) await gate;
    await route.fulfill({ contentType: 'text/plain', body: await signChatToken(s.secretKey, person.id, 600) });
  });
  // The harness's bare host page (a real page on the demo origin) embeds the widget for one of the
  // site's members; the init script swaps the options it passes to ImbaChat.load for this test's.
  const token = await signChatToken(s.secretKey, person.id, o.ttl ?? 600);
  await context.addInitScript(overrideLoad, { options: { ...o.load, user_id: person.id, token }, getToken: o.getToken === true });
  const page = await context.newPage();
  const sent: WidgetPage['sent'] = [];
  const received: WidgetPage['received'] = [];
  const parse = (payload: string | Buffer) => {
    try {
      return JSON.parse(String(payload)) as { type: string };
    } catch {
      return { type: 'unparsed' };
    }
  };
  page.on('websocket', (ws: WebSocket) => {
    ws.on('framesent', (f) => sent.push(parse(f.payload)));
    ws.on('framereceived', (f) => received.push(parse(f.payload)));
  });
  const url = `${s.demoUrl}/e2e-host/${zoe.id}${o.server ? `?server=${encodeURIComponent(o.server)}` : ''}`;
  await page.goto(url);
  await ready(page);
  return {
    context,
    page,
    sent,
    received,
    tokenCalls: () => calls,
    holdTokens() {
      gate = new Promise((resolve) => (open = resolve));
    },
    releaseTokens() {
      gate = null;
      open();
    },
    async reload() {
      await page.reload();
      await ready(page);
    },
    close: () => context.close(),
  };
}

/** Waits for the widget's `ready` event on this page load. */
export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __imbaEvents?: { name: string }[] }).__imbaEvents?.some((e) => e.name === 'ready'));
}

/** The widget's events recorded on this page load. */
export function events(page: Page, name: string): Promise<unknown[]> {
  return page.evaluate(
    (n) => ((window as unknown as { __imbaEvents?: { name: string; payload: unknown }[] }).__imbaEvents ?? []).filter((e) => e.name === n).map((e) => e.payload),
    name,
  );
}

function overrideLoad(arg: { options: Record<string, unknown>; getToken: boolean }): void {
  let current: { load(o: unknown): void } | undefined;
  Object.defineProperty(window, 'ImbaChat', {
    configurable: true,
    get: () => current,
    set(v: { load(o: unknown): void } | undefined) {
      current = v;
      if (!v || typeof v.load !== 'function') return;
      const load = v.load.bind(v);
      v.load = () => {
        const options: Record<string, unknown> = { ...arg.options };
        if (arg.getToken) options.getToken = () => fetch('/live-token/next').then((r) => r.text());
        load(options);
      };
    },
  });
}

function recordEvents(): void {
  const w = window as unknown as { __imbaEvents?: unknown[] };
  w.__imbaEvents = [];
  const subscribe = () => {
    const api = window.imbaApi;
    if (!api) return void setTimeout(subscribe, 5);
    for (const name of ['ready', 'message', 'unread', 'open', 'close', 'error'] as const) api.on(name, (payload: unknown) => w.__imbaEvents?.push({ name, payload }));
  };
  subscribe();
}

export interface Spied {
  audioContexts: number;
  tones: number;
  permissionAsks: number;
  notifications: { title: string; body?: string }[];
}

/**
 * Counts real AudioContexts and the tones started on them, and stands in for the browser's
 * Notification (a headless browser cannot answer a permission prompt): permission "default" until
 * requestPermission() is called, which grants it. Its user activation is set by real input only.
 */
function installSpies(): void {
  const spied: Spied = { audioContexts: 0, tones: 0, permissionAsks: 0, notifications: [] };
  (window as unknown as { __spied: Spied }).__spied = spied;
  // The browser's sticky activation, as a person's browser has it: set by real input only. Playwright
  // runs its evaluate and locator calls as user gestures, which would count as a click here.
  let active = false;
  for (const type of ['pointerdown', 'keydown', 'touchend']) addEventListener(type, (e) => (active ||= e.isTrusted), true);
  Object.defineProperty(navigator, 'userActivation', { configurable: true, value: { get hasBeenActive() { return active; }, get isActive() { return active; } } });
  const Real = window.AudioContext;
  if (Real) {
    window.AudioContext = class extends Real {
      constructor(options?: AudioContextOptions) {
        super(options);
        spied.audioContexts++;
      }
      override createOscillator(): OscillatorNode {
        const osc = super.createOscillator();
        const start = osc.start.bind(osc);
        osc.start = (when?: number) => {
          spied.tones++;
          start(when);
        };
        return osc;
      }
    };
  }
  class SpyNotification {
    static permission: NotificationPermission = 'default';
    static requestPermission(): Promise<NotificationPermission> {
      spied.permissionAsks++;
      SpyNotification.permission = 'granted';
      return Promise.resolve('granted');
    }
    onclick: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      spied.notifications.push({ title, ...(options?.body !== undefined ? { body: options.body } : {}) });
    }
    close(): void {}
  }
  (window as unknown as { Notification: unknown }).Notification = SpyNotification;
}

export function spied(page: Page): Promise<Spied> {
  return page.evaluate(() => (window as unknown as { __spied: Spied }).__spied);
}

/** Makes the page look hidden (a background tab) or visible again, as the browser reports it. */
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** The widget, by role and accessible name. */
export function ui(page: Page) {
  const launcher = page.getByRole('button', { name: /^(Open|Close) chat$/ });
  return {
    launcher,
    badge: launcher.locator('.badge'),
    composer: page.getByRole('textbox', { name: 'Message' }),
    log: page.getByRole('log'),
    header: page.locator('imbachat-widget').locator('header'),
    dialog: (name: string) => page.getByRole('button', { name, exact: true }),
    message: (text: string) => page.getByRole('log').locator('.msg', { hasText: text }),
  };
}

export async function openDialog(page: Page, person: Person): Promise<void> {
  await page.evaluate((id) => window.imbaApi?.openDialog(id), person.id);
  await expect(ui(page).composer).toBeVisible();
}

/** The page API's counts, read together. */
export function counts(page: Page, partner: Person) {
  return page.evaluate((id) => ({ sum: window.imbaApi?.countNewMessagesSum() ?? -1, with: window.imbaApi?.countNewMessages(id) ?? -1 }), partner.id);
}
