// Shared setup of the store contract suites: one store per test group, fresh widgets and ids per
// test, and small helpers that fail loudly when a write is refused.
import { afterAll, beforeAll } from 'vitest';
import type { EventRow, NewWidget, SendInput, Store } from '../types.ts';

export interface StoreUnderTest {
  store: Store;
  /**
   * Opens another Store on the same data. The suite uses it as a second node next to `store`
   * (races), and after closing `store` to check that committed data survives.
   */
  reopen?: () => Promise<Store>;
  /** Closes every store still open (also those from `reopen`) and deletes the data. */
  cleanup: () => Promise<void>;
}

export type OpenStore = () => Promise<StoreUnderTest>;

export interface StoreCtx {
  store: Store;
  reopen: (() => Promise<Store>) | undefined;
}

/** Opens one store for the enclosing describe block; read `ctx.store` inside tests only. */
export function useStore(open: OpenStore): StoreCtx {
  const ctx = {} as StoreCtx;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const opened = await open();
    ctx.store = opened.store;
    ctx.reopen = opened.reopen;
    cleanup = opened.cleanup;
  });
  afterAll(async () => {
    await cleanup?.();
  });
  return ctx;
}

/** A store of its own for one test, e.g. because pruneEvents acts on every widget of a store. */
export async function withOwnStore(open: OpenStore, fn: (opened: StoreUnderTest) => Promise<void>) {
  const opened = await open();
  try {
    await fn(opened);
  } finally {
    await opened.cleanup();
  }
}

let counter = 0;
export const uid = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

// One increasing clock for every test, so activity order is the order of the calls.
let clock = 1_700_000_000_000;
export const tick = () => (clock += 1_000);

export const widgetFields = (devId: string): NewWidget => ({
  devId,
  name: `Widget ${devId}`,
  secretKey: 'k'.repeat(40),
  apiLogin: 'login',
  apiPassword: 'password',
  usersInfoUrl: 'https://host.example/users',
  allowedOrigins: ['https://host.example'],
  adminIds: ['admin-1'],
  rateLimits: { send: { user: { burst: 5, perSecond: 0.5 } } },
  maxGroupMembers: 40,
  hostApiKeyHash: 'c0ffee'.repeat(10) + 'c0ff',
  uploadSettings: { maxBytes: 5_000_000, types: ['image/png', 'application/pdf'] },
});

export async function newWidget(store: Store): Promise<number> {
  return (await store.insertWidget(widgetFields(uid('dev')), tick())).id;
}

/** Typed so that destructuring up to eight names needs no `!`; holds exactly n. */
type Names = [string, string, string, string, string, string, string, string, ...string[]];

/** Distinct user ids for one test; the same names in two widgets are different users. */
export const users = (n: number) => Array.from({ length: n }, (_, i) => uid(`user${i}`)) as Names;

export async function direct(store: Store, widgetId: number, a: string, b: string): Promise<number> {
  return (await store.openDirectDialog(widgetId, a, b, tick())).dialogId;
}

export async function group(store: Store, widgetId: number, memberIds: string[], title = uid('title')) {
  const creatorId = memberIds[0]!;
  return store.createGroup(widgetId, { creatorId, title, memberIds, createdText: `${creatorId} created the group “${title}”` }, tick());
}

export const input = (widgetId: number, dialogId: number, senderId: string, extra: Partial<SendInput> = {}): SendInput => ({
  widgetId,
  dialogId,
  senderId,
  text: uid('text'),
  clientMsgId: null,
  now: tick(),
  ...extra,
});

/** Narrows a result to one kind, failing the test with the actual result otherwise. */
export function expectKind<K extends string, R extends { kind: string }>(r: R | undefined, kind: K): Extract<R, { kind: K }> {
  if (!r || r.kind !== kind) throw new Error(`expected a '${kind}' result, got ${JSON.stringify(r)}`);
  return r as Extract<R, { kind: K }>;
}

export async function send(store: Store, widgetId: number, dialogId: number, senderId: string, extra: Partial<SendInput> = {}) {
  const [r] = await store.commitSends([input(widgetId, dialogId, senderId, extra)]);
  return expectKind(r, 'created');
}

export const sorted = <T>(xs: Iterable<T>) => [...xs].sort();

export function expectIncreasing(ids: number[]) {
  for (let i = 1; i < ids.length; i++) {
    if (!(ids[i]! > ids[i - 1]!)) throw new Error(`positions do not strictly increase: ${ids.join(', ')}`);
  }
}

/** Every event a user receives after `after`, asserting the page is complete. */
export async function eventsOf(store: Store, widgetId: number, userId: string, after = 0): Promise<EventRow[]> {
  const page = await store.readEvents(widgetId, userId, after, 1_000);
  if (!page.complete) throw new Error(`readEvents(${userId}, after ${after}) is incomplete: ${JSON.stringify(page)}`);
  return page.events.map(({ message: _message, ...row }) => row);
}
