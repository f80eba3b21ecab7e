// Lossless reconnect: the link drops again and again while both sides write; afterwards every
// message is there exactly once, on the screen and on the server.
import { expect, test } from '@playwright/test';
import { startProxy } from '../support/proxy.ts';
import { live, openDialog, rest, stranger, ui, unique, widgetPage, zoe } from '../support/live.ts';

test('drops in the middle of traffic in both directions lose nothing and double nothing', async ({ browser }) => {
  const me = stranger('reconnect');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const proxy = await startProxy(new URL(live().serverUrl));
  const u = await widgetPage(browser, me, { server: proxy.url });
  const w = ui(u.page);
  await openDialog(u.page, zoe);

  const theirs: string[] = [];
  const mine: string[] = [];
  const write = async (text: string) => {
    mine.push(text);
    await w.composer.fill(text);
    await w.composer.press('Enter');
  };
  for (let round = 1; round <= 3; round++) {
    const a = unique(`Zoë before drop ${round}`);
    theirs.push(a);
    await zoeApi.send(dialogId, a);
    await write(unique(`Mine before drop ${round}`));
    proxy.drop();
    const b = unique(`Zoë during drop ${round}`);
    theirs.push(b);
    await zoeApi.send(dialogId, b);
    await write(unique(`Mine during drop ${round}`));
    await expect(w.message(mine.at(-1)!).getByText('Sending…')).toBeAttached();
    proxy.restore();
    await expect(w.log.getByText(b)).toBeVisible();
  }
  const last = unique('Zoë after the drops');
  theirs.push(last);
  await zoeApi.send(dialogId, last);
  await expect(w.log.getByText(last)).toBeVisible();
  for (const text of mine) await expect(w.message(text).getByText('Sending…')).toHaveCount(0);
  for (const text of [...theirs, ...mine]) await expect(w.log.getByText(text, { exact: true })).toHaveCount(1);
  await expect(w.log.locator('.msg')).toHaveCount(theirs.length + mine.length);

  const stored = (await zoeApi.messages(dialogId)).items.map((m) => m.text);
  for (const text of [...theirs, ...mine]) expect(stored.filter((t) => t === text)).toHaveLength(1);
  expect(stored).toHaveLength(theirs.length + mine.length);
  await u.close();
  await proxy.close();
});
