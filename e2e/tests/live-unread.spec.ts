// Unread everywhere: the launcher badge, the dialog list, countNewMessagesSum(), countNewMessages(id)
// and the `unread` event agree, in two tabs of the same person, after a reload and a reconnect.
import { expect, test, type Page } from '@playwright/test';
import { startProxy } from '../support/proxy.ts';
import { counts, events, live, maxi, rest, stranger, ui, unique, widgetPage, zoe } from '../support/live.ts';

async function agree(page: Page, total: number, fromZoe: number, fromMaxi: number) {
  const w = ui(page);
  if (total > 0) await expect(w.badge).toHaveText(String(total));
  else await expect(w.badge).toHaveCount(0);
  await expect.poll(() => counts(page, zoe)).toEqual({ sum: total, with: fromZoe });
  expect((await counts(page, maxi)).with).toBe(fromMaxi);
  await expect.poll(async () => ((await events(page, 'unread')).at(-1) as { total: number } | undefined)?.total).toBe(total);
  // The list, where the panel shows it.
  if (await w.dialog(zoe.name).isVisible()) {
    const zoeRow = w.dialog(zoe.name);
    if (fromZoe > 0) await expect(zoeRow.locator('.count')).toHaveText(String(fromZoe));
    else await expect(zoeRow.locator('.count')).toHaveCount(0);
    const maxiRow = w.dialog(maxi.name);
    if (fromMaxi > 0) await expect(maxiRow.locator('.count')).toHaveText(String(fromMaxi));
    else await expect(maxiRow.locator('.count')).toHaveCount(0);
  }
}

test('badge, list, page API and event agree in two tabs, across a reload, a read in the other tab and a reconnect', async ({ browser }) => {
  const me = stranger('unread');
  const mine = await rest(me);
  const withZoe = await mine.dialogWith(zoe);
  const withMaxi = await mine.dialogWith(maxi);
  const zoeApi = await rest(zoe);
  const maxiApi = await rest(maxi);

  const proxy = await startProxy(new URL(live().serverUrl));
  const tab1 = await widgetPage(browser, me);
  const tab2 = await widgetPage(browser, me, { server: proxy.url });
  await agree(tab1.page, 0, 0, 0);

  await zoeApi.send(withZoe, unique('Zoë 1'));
  await zoeApi.send(withZoe, unique('Zoë 2'));
  await maxiApi.send(withMaxi, unique('Maxi 1'));
  await ui(tab1.page).launcher.click();
  for (const tab of [tab1, tab2]) await agree(tab.page, 3, 2, 1);

  await tab2.reload();
  await agree(tab2.page, 3, 2, 1);

  // Tab 1 reads Zoë's messages: both tabs drop to Maximiliana's one.
  await ui(tab1.page).dialog(zoe.name).click();
  await expect(ui(tab1.page).log.getByText(/Zoë 2/)).toBeVisible();
  for (const tab of [tab1, tab2]) await agree(tab.page, 1, 0, 1);
  expect((await zoeApi.dialog(withZoe)).unread_count).toBe(0);

  // Tab 2 loses its connection while Zoë writes again: it catches up when it is back.
  await ui(tab1.page).launcher.click(); // close tab 1's panel, so nothing is read there
  proxy.drop();
  await zoeApi.send(withZoe, unique('Zoë 3'));
  await agree(tab1.page, 2, 1, 1);
  proxy.restore();
  await agree(tab2.page, 2, 1, 1);

  await tab1.close();
  await tab2.close();
  await proxy.close();
});
