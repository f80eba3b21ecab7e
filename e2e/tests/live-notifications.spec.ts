// Notifications while the person is not looking: a short WebAudio sound (only once the page has had
// a gesture, not while they watch, never when muted — remembered), the unread count in the title
// while the tab is hidden (opt-out with titleBadge: false), and browser notifications asked for
// only when the person turns them on.
import { expect, test, type Page } from '@playwright/test';
import { events, rest, setHidden, spied, stranger, ui, unique, widgetPage, zoe } from '../support/live.ts';

async function messages(page: Page, n: number) {
  await expect.poll(async () => (await events(page, 'message')).length).toBe(n);
}

test('a sound plays for a new message while the panel is closed, after a gesture, and not when muted (remembered)', async ({ browser }) => {
  const me = stranger('sound');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const u = await widgetPage(browser, me, { spies: true });
  // The page's ready event can come before the socket's (it needs only the list): a message
  // committed in between is in the list after the resync, but no live "message" event is owed.
  await expect.poll(() => u.received.some((f) => f.type === 'ready')).toBe(true);

  // No gesture yet: browsers forbid sound, so the widget does not even try.
  await zoeApi.send(dialogId, unique('Before any click'));
  await messages(u.page, 1);
  expect(await spied(u.page)).toMatchObject({ audioContexts: 0, tones: 0 });

  // The person opens the panel (a gesture) and is looking at it: no sound.
  await ui(u.page).launcher.click();
  await zoeApi.send(dialogId, unique('While watching'));
  await messages(u.page, 2);
  expect((await spied(u.page)).tones).toBe(0);

  // Panel closed: a sound, made with WebAudio.
  await ui(u.page).launcher.click();
  await zoeApi.send(dialogId, unique('Panel closed'));
  await messages(u.page, 3);
  await expect.poll(async () => (await spied(u.page)).tones).toBe(1);
  expect((await spied(u.page)).audioContexts).toBe(1);

  // Muted with the switch in the panel; the choice survives a reload.
  await ui(u.page).launcher.click();
  const sound = u.page.getByRole('switch', { name: 'Sound' });
  await expect(sound).toHaveAttribute('aria-checked', 'true');
  await sound.click();
  await expect(sound).toHaveAttribute('aria-checked', 'false');
  await u.page.screenshot({ path: test.info().outputPath('notification-switches-desktop.png') });
  // Closed before the reload, so it comes back closed (the tab reopens the panel as it was left).
  await ui(u.page).launcher.click();
  await u.reload();
  await expect(ui(u.page).launcher).toHaveAttribute('aria-expanded', 'false');
  await u.page.mouse.click(5, 5); // a gesture on the page: sound would be allowed
  await zoeApi.send(dialogId, unique('Muted'));
  await messages(u.page, 1);
  expect((await spied(u.page)).tones).toBe(0);
  await ui(u.page).launcher.click();
  await expect(u.page.getByRole('switch', { name: 'Sound' })).toHaveAttribute('aria-checked', 'false');
  await u.close();
});

test('a click on the page before the conversations part is in unlocks the sound as well (the browser remembers it)', async ({ browser }) => {
  const me = stranger('sound-early');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const u = await widgetPage(browser, me, { spies: true });
  // On the next load the conversations part (it listens for gestures) waits until released.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await u.context.route(/\/imbachat\/v1\/assets\/later-[\w-]+\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await u.reload();
  await u.page.mouse.click(5, 5); // the person clicks the page; nothing of ours hears it yet
  const arrived = u.page.waitForResponse(/\/imbachat\/v1\/assets\/later-[\w-]+\.js$/);
  release();
  await arrived;
  await zoeApi.send(dialogId, unique('After an early click'));
  await messages(u.page, 1);
  await expect.poll(async () => (await spied(u.page)).tones).toBe(1);
  await u.close();
});

test('a hidden tab plays the sound even with the panel open, and shows "(n) title" until it is visible again', async ({ browser }) => {
  const me = stranger('title');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const u = await widgetPage(browser, me, { spies: true, viewport: { width: 375, height: 667 } });
  const title = await u.page.title();
  await ui(u.page).launcher.click();
  await setHidden(u.page, true);
  await zoeApi.send(dialogId, unique('One'));
  await zoeApi.send(dialogId, unique('Two'));
  await expect(u.page).toHaveTitle(`(2) ${title}`);
  await expect.poll(async () => (await spied(u.page)).tones).toBeGreaterThanOrEqual(1);
  await u.page.screenshot({ path: test.info().outputPath('notification-switches-phone.png') });
  await setHidden(u.page, false);
  await expect(u.page).toHaveTitle(title);
  await u.close();
});

test('titleBadge: false leaves the page title alone', async ({ browser }) => {
  const me = stranger('notitle');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const u = await widgetPage(browser, me, { load: { titleBadge: false } });
  const title = await u.page.title();
  await setHidden(u.page, true);
  await (await rest(zoe)).send(dialogId, unique('Quietly'));
  await messages(u.page, 1);
  await expect.poll(() => u.page.evaluate(() => window.imbaApi?.countNewMessagesSum())).toBe(1);
  await expect(u.page).toHaveTitle(title);
  await u.close();
});

test('browser notifications: never asked on load; asked when turned on; shown only while the tab is hidden', async ({ browser }) => {
  const me = stranger('desktop');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const u = await widgetPage(browser, me, { spies: true });
  await setHidden(u.page, true);
  await zoeApi.send(dialogId, unique('Not opted in'));
  await messages(u.page, 1);
  expect(await spied(u.page)).toMatchObject({ permissionAsks: 0, notifications: [] });

  await setHidden(u.page, false);
  await ui(u.page).launcher.click();
  const desktop = u.page.getByRole('switch', { name: 'Desktop notifications' });
  await expect(desktop).toHaveAttribute('aria-checked', 'false');
  await desktop.click();
  await expect(desktop).toHaveAttribute('aria-checked', 'true');
  expect((await spied(u.page)).permissionAsks).toBe(1);

  const visibleText = unique('Seen in the page');
  await zoeApi.send(dialogId, visibleText);
  await messages(u.page, 2);
  await setHidden(u.page, true);
  const hiddenText = unique('Away from the tab');
  await zoeApi.send(dialogId, hiddenText);
  await messages(u.page, 3);
  expect((await spied(u.page)).notifications).toEqual([{ title: zoe.name, body: hiddenText }]);
  await u.close();
});
