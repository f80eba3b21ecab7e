// One chat across a browser's tabs: the tabs of one user share one WebSocket, see the same unread
// count, make one sound per message, hand the socket over without losing or repeating a message
// when the tab holding it closes, and clear their badges together on a read. Without Web Locks or
// BroadcastChannel each tab keeps its own socket and still works.
import { type BrowserContext, type Page, expect, test } from '@playwright/test';
import type { RecordedEvent } from '../support/bare-page.ts';
import { events, live, rest, setHidden, spied, stranger, ui, unique, widgetPage, zoe } from '../support/live.ts';

/** Opens `n` more tabs of the same browser context on the same host page, with a socket counter. */
async function moreTabs(context: BrowserContext, url: string, n: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __imbaEvents?: { name: string }[] }).__imbaEvents?.some((e) => e.name === 'ready'));
    pages.push(page);
  }
  return pages;
}

function countSockets(pages: Page[]): { open: () => number } {
  let open = 0;
  for (const p of pages)
    p.on('websocket', (ws) => {
      open++;
      ws.on('close', () => open--);
    });
  return { open: () => open };
}

const sum = (p: Page) => p.evaluate(() => window.imbaApi?.countNewMessagesSum() ?? -1);

test('three tabs of one user share one WebSocket, one sound per message, one unread count, and hand over without loss', async ({ browser }) => {
  const me = stranger('tabs');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const first = await widgetPage(browser, me, { spies: true });
  const sockets = countSockets([first.page]);
  // The first tab's socket opened before the counter: count it by hand.
  let opened = 1;
  first.page.on('websocket', () => opened++);
  const others = await moreTabs(first.context, first.page.url(), 2);
  const tabs = [first.page, ...others];
  const counter = countSockets(others);
  others.forEach((p) => p.on('websocket', () => opened++));

  // One socket between the three: the later tabs opened none.
  await expect.poll(counter.open).toBe(0);
  expect(opened).toBe(1);

  // The person looks at the last tab (a click there lets it play sound); the others are hidden.
  // The click that counts is one the conversations part sees (it listens once it is in, when the
  // browser is idle, which on a busy machine can be late): open the panel, which waits for that
  // part, and close it again.
  const looking = others[1]!;
  await setHidden(first.page, true);
  await setHidden(others[0]!, true);
  await ui(looking).launcher.click();
  await expect(looking.getByRole('dialog')).toBeVisible();
  await ui(looking).launcher.click();
  await expect(looking.getByRole('dialog')).toHaveCount(0);
  await zoeApi.send(dialogId, unique('To every tab'));
  for (const p of tabs) await expect.poll(() => sum(p)).toBe(1);
  await expect.poll(async () => (await Promise.all(tabs.map(spied))).reduce((n, s) => n + s.tones, 0)).toBe(1);
  expect((await spied(looking)).tones).toBe(1);

  // The tab holding the socket closes: another takes over and resumes; a message sent meanwhile
  // arrives once in each remaining tab.
  const during = unique('During the hand-over');
  await first.page.close();
  await zoeApi.send(dialogId, during);
  for (const p of others) {
    await expect.poll(() => sum(p)).toBe(2);
    const messages = (await events(p, 'message')) as { message: { text: string } }[];
    expect(messages.filter((m) => m.message.text === during)).toHaveLength(1);
  }
  // One of the two remaining tabs opened the one new socket.
  expect(opened).toBe(2);

  // A read in one tab clears the badge in the other.
  await setHidden(looking, false);
  await looking.evaluate((id) => window.imbaApi?.openDialog(id), zoe.id);
  await expect(ui(looking).log.getByText(during)).toBeVisible();
  await expect.poll(() => sum(others[0]!)).toBe(0);
  await expect(ui(others[0]!).badge).toHaveCount(0);
  await first.context.close();
});

test('without Web Locks and BroadcastChannel each tab keeps its own socket and gets every message', async ({ browser }) => {
  const me = stranger('notabs');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  // Before the widget's script: the browser lacks both.
  const first = await widgetPage(browser, me, {});
  await first.context.addInitScript(() => {
    Object.defineProperty(navigator, 'locks', { configurable: true, value: undefined });
    (window as unknown as { BroadcastChannel?: unknown }).BroadcastChannel = undefined;
  });
  const withSocket = new Set<Page>();
  first.context.on('page', (p) => p.on('websocket', () => withSocket.add(p)));
  first.page.on('websocket', () => withSocket.add(first.page));
  await first.reload();
  const [second] = await moreTabs(first.context, first.page.url(), 1);
  // Each tab opened a socket of its own.
  await expect.poll(() => withSocket.size).toBe(2);
  expect(await second!.evaluate(() => typeof navigator.locks)).toBe('undefined');
  const text = unique('Each tab on its own');
  await zoeApi.send(dialogId, text);
  for (const p of [first.page, second!]) await expect.poll(() => sum(p)).toBe(1);
  await first.context.close();
});

test('another user signing in in another tab stops the chat of the first, which says why', async ({ browser }) => {
  const s = live();
  const [x, y] = [stranger('switch-x'), stranger('switch-y')];
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    await first.goto(`${s.demoUrl}/e2e-host/bare/${x.id}`);
    const recorded = (p: Page) => p.evaluate(() => (window as unknown as { __events: RecordedEvent[] }).__events);
    await expect.poll(() => recorded(first)).toContainEqual({ name: 'ready', code: undefined });
    const second = await context.newPage();
    await second.goto(`${s.demoUrl}/e2e-host/bare/${y.id}`);
    await expect.poll(() => recorded(first)).toContainEqual({ name: 'error', code: 'user_switched' });
    await expect(first.getByRole('button', { name: 'Open chat' })).toHaveAccessibleDescription(/Someone else signed in in another tab/);
    // The tab that signed in keeps working.
    expect(await recorded(second)).not.toContainEqual({ name: 'error', code: 'user_switched' });
    await expect.poll(() => recorded(second)).toContainEqual({ name: 'ready', code: undefined });
  } finally {
    await context.close();
  }
});

test('a draft typed in one tab is the draft of the same conversation in the other tab', async ({ browser }) => {
  const me = stranger('drafts');
  await (await rest(me)).dialogWith(zoe);
  const first = await widgetPage(browser, me);
  const [second] = await moreTabs(first.context, first.page.url(), 1);
  for (const p of [first.page, second!]) {
    await p.evaluate((id) => window.imbaApi?.openDialog(id), zoe.id);
    await expect(ui(p).composer).toBeVisible();
  }
  await ui(first.page).composer.fill('half a thought');
  await expect(ui(second!).composer).toHaveValue('half a thought');
  // And back, once cleared there.
  await ui(second!).composer.fill('');
  await expect(ui(first.page).composer).toHaveValue('');
  await first.context.close();
});

test('a leader tab that stops answering is taken over: messages keep coming to the other tab, none twice after it recovers', async ({ browser }) => {
  const me = stranger('frozen');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const first = await widgetPage(browser, me);
  const [second] = await moreTabs(first.context, first.page.url(), 1);
  await zoeApi.send(dialogId, unique('Before the freeze'));
  for (const p of [first.page, second!]) await expect.poll(() => sum(p)).toBe(1);
  let takenOver = false;
  second!.on('websocket', () => (takenOver = true));

  // The first tab holds the socket; its main thread stops for 12 s (a frozen or hung tab runs no
  // script: no relaying, no heartbeat).
  await first.page.evaluate(() => {
    // Answered first, then the page hangs: the test knows the hang has begun.
    setTimeout(() => {
      const end = Date.now() + 12_000;
      while (Date.now() < end) {
        // busy
      }
    }, 0);
  });
  const during = unique('While the leader is frozen');
  await zoeApi.send(dialogId, during);
  // The other tab notices the silence, takes the lock and resumes: the message arrives.
  await expect.poll(() => sum(second!), { timeout: 30_000 }).toBe(2);
  expect(takenOver).toBe(true);

  await first.page.evaluate(() => true); // answered once the page runs script again
  const after = unique('After it recovers');
  await zoeApi.send(dialogId, after);
  for (const p of [first.page, second!]) {
    await expect.poll(() => sum(p), { timeout: 20_000 }).toBe(3);
    const texts = ((await events(p, 'message')) as { message: { text: string } }[]).map((m) => m.message.text);
    expect(texts.filter((t) => t === after)).toHaveLength(1);
    expect(texts.filter((t) => t === during)).toHaveLength(1);
  }
  await first.context.close();
});
