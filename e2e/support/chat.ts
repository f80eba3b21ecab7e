// What the tests share: the running stack's addresses, logging in on the demo site, the widget's
// accessible parts, and a REST client that acts as another user without a browser.
import { randomUUID } from 'node:crypto';
import { type Browser, type BrowserContext, type Locator, type Page, expect } from '@playwright/test';
import { type DemoUser, signChatToken } from '@imbachat/demo';

export interface Stack {
  serverUrl: string;
  demoUrl: string;
  devId: string;
  secretKey: string;
}

export function stack(): Stack {
  const get = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: the global setup did not run`);
    return v;
  };
  return {
    serverUrl: get('E2E_SERVER_URL'),
    demoUrl: get('E2E_DEMO_URL'),
    devId: get('E2E_DEV_ID'),
    secretKey: get('E2E_SECRET_KEY'),
  };
}

/** A text no other test (or earlier retry) can have sent. */
export function unique(label: string): string {
  return `${label} ${randomUUID().slice(0, 8)}`;
}

/** The widget as a person perceives it: by role and accessible name only. */
export function widget(page: Page) {
  return {
    launcher: page.getByRole('button', { name: 'Open chat' }),
    composer: page.getByRole('textbox', { name: 'Message' }),
    send: page.getByRole('button', { name: 'Send', exact: true }),
    log: page.getByRole('log'),
    dialog: (partner: DemoUser): Locator => page.getByRole('button', { name: partner.name, exact: true }),
  };
}

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Every JavaScript dialog (alert, confirm…) the page tried to open. */
  dialogs: string[];
}

type ContextOptions = Parameters<Browser['newContext']>[0];

/** A fresh browser context whose page records the widget's events and any JavaScript dialog. */
export async function newVisitor(browser: Browser, contextOptions: ContextOptions = {}): Promise<Visitor> {
  const context = await browser.newContext(contextOptions);
  await context.addInitScript(recordWidgetEvents);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return { context, page, dialogs };
}

/** A browser context logged in on the demo site as `user` through its login page. */
export async function visit(browser: Browser, user: DemoUser, contextOptions: ContextOptions = {}): Promise<Visitor> {
  const v = await newVisitor(browser, contextOptions);
  await logIn(v.page, user);
  return v;
}

/**
 * Runs in every page before its own scripts: subscribes to the widget's events as soon as
 * window.imbaApi exists, so a test can wait for `ready` even when it fired before the test asked.
 */
function recordWidgetEvents(): void {
  const w = window as unknown as { __imbaReady?: boolean; __imbaEvents?: unknown[] };
  w.__imbaEvents = [];
  const subscribe = () => {
    const api = window.imbaApi;
    if (!api) return void setTimeout(subscribe, 5);
    api.on('ready', () => (w.__imbaReady = true));
    for (const name of ['ready', 'message', 'unread', 'open', 'close', 'error'] as const) {
      api.on(name, (payload: unknown) => w.__imbaEvents?.push({ name, payload }));
    }
  };
  subscribe();
}

export async function logIn(page: Page, user: DemoUser): Promise<void> {
  await page.goto(`${stack().demoUrl}/login`);
  await page.getByRole('button', { name: `Log in as ${user.name}`, exact: true }).click();
  await expect(page.getByRole('heading', { name: `Hello, ${user.name}` })).toBeVisible();
}

/** Waits until the widget has a session: its `ready` event, as recorded by the init script. */
export async function widgetReady(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __imbaReady?: boolean }).__imbaReady === true);
}

/** Whether `locator` holds the keyboard focus, looking through shadow roots. */
export async function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active === el;
  });
}

/** Presses Tab until `target` has the focus; fails after `max` presses. */
export async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await hasFocus(target)) return;
    await page.keyboard.press('Tab');
  }
  expect(await hasFocus(target), `Tab never reached ${target}`).toBe(true);
}

/** Another user talking through the REST API, as a second device or a script would. */
export async function restAs(user: { id: number | string }) {
  const s = stack();
  const token = await signChatToken(s.secretKey, user.id, 600);
  const base = `${s.serverUrl}/api/v1/${s.devId}`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    async dialogWith(partner: { id: number | string }): Promise<number> {
      const dialog = await call<{ id: number }>('POST', '/dialogs', { user_id: partner.id });
      return dialog.id;
    },
    /** Creates a group of this user and the others; returns its id. */
    async group(title: string, others: Array<{ id: number | string }>): Promise<number> {
      const dialog = await call<{ id: number }>('POST', '/dialogs', { type: 'group', title, user_ids: others.map((o) => o.id) });
      return dialog.id;
    },
    async send(dialogId: number, text: string): Promise<{ id: number; seq: number }> {
      return call('POST', `/dialogs/${dialogId}/messages`, { text, client_msg_id: randomUUID() });
    },
    /** Unread messages per partner, as the server counts them for this user. */
    async unread(): Promise<Map<string, number>> {
      const page = await call<{ items: { unread_count: number; members: { user_id: string }[] }[] }>('GET', '/dialogs?limit=50');
      const out = new Map<string, number>();
      for (const d of page.items) {
        const partner = d.members.find((m) => m.user_id !== String(user.id));
        if (partner) out.set(partner.user_id, d.unread_count);
      }
      return out;
    },
    async read(dialogId: number, messageId: number): Promise<void> {
      await call('POST', `/dialogs/${dialogId}/read`, { message_id: messageId });
    },
    messages: (dialogId: number) =>
      call<{ items: { id: number; text: string; sender_id: string }[] }>('GET', `/dialogs/${dialogId}/messages?limit=100`),
    dialog: (dialogId: number) => call<{ unread_count: number }>('GET', `/dialogs/${dialogId}`),
    /** The first page of this user's dialogs, as the server describes them. */
    list: () => call<{ items: { id: number; type: string; title: string | null; membership: string; muted: boolean; unread_count: number }[] }>('GET', '/dialogs?limit=50'),
    /** Any other endpoint (group management: members, roles, leaving, mute). */
    call,
  };
}

/** Waits for fonts and for every finite animation (the panel's entrance, say) to end. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    // document.getAnimations() leaves out shadow trees: ask every shadow root too.
    const roots: (Document | ShadowRoot)[] = [document];
    for (const el of document.querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
    const finite = roots
      .flatMap((r) => r.getAnimations())
      .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
    await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
  });
}
