// Idempotent sending: a send that fails or whose answer is lost is resent with the same
// client_msg_id and shows once; a message still pending when the page reloads is kept in the tab
// and sent after.
import { expect, test } from '@playwright/test';
import { openDialog, rest, stranger, ui, unique, widgetPage, zoe } from '../support/live.ts';

const POST_MESSAGES = /\/dialogs\/\d+\/messages$/;

test('an unanswered send is resent automatically with the same client_msg_id and shows once', async ({ browser }) => {
  const me = stranger('ack');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const u = await widgetPage(browser, me);
  const w = ui(u.page);
  await openDialog(u.page, zoe);
  let posts = 0;
  await u.context.route(POST_MESSAGES, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    posts++;
    if (posts === 1) return route.abort('connectionreset'); // never reached the server
    if (posts === 2) {
      await route.fetch(); // the resend is stored…
      return route.abort('connectionreset'); // …and its answer is lost
    }
    return route.continue();
  });
  const text = unique('Said once');
  await w.composer.fill(text);
  await w.composer.press('Enter');
  await expect(w.message(text).getByText('Sending…')).toHaveCount(0);
  expect(posts).toBeGreaterThanOrEqual(2);
  await expect(w.log.getByText(text)).toHaveCount(1);
  const stored = (await (await rest(zoe)).messages(dialogId)).items.filter((m) => m.text === text);
  expect(stored).toHaveLength(1);
  await u.close();
});

test('a message pending when the page reloads is sent after the reload, once', async ({ browser }) => {
  const me = stranger('reload');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const u = await widgetPage(browser, me);
  const w = ui(u.page);
  await openDialog(u.page, zoe);
  let posts = 0;
  const handler = async (route: import('@playwright/test').Route) => {
    if (route.request().method() !== 'POST') return route.continue();
    posts++;
    return route.abort('connectionreset'); // the network is down for sends
  };
  await u.context.route(POST_MESSAGES, handler);
  const text = unique('Survives a reload');
  await w.composer.fill(text);
  await w.composer.press('Enter');
  await expect(w.message(text).getByText('Sending…')).toBeAttached();
  await expect.poll(() => posts).toBeGreaterThanOrEqual(2); // resent by itself, still no luck

  await u.context.unroute(POST_MESSAGES, handler);
  await u.reload();
  await openDialog(u.page, zoe);
  await expect(w.log.getByText(text)).toHaveCount(1);
  await expect(w.message(text).getByText('Sending…')).toHaveCount(0);
  const stored = (await (await rest(zoe)).messages(dialogId)).items.filter((m) => m.text === text);
  expect(stored).toHaveLength(1);
  await u.close();
});
