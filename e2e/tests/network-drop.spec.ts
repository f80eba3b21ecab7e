// The network goes away and comes back: what the other side sent meanwhile shows up, once each.
import { expect, test } from '@playwright/test';
import { dan, nina } from '../support/users.ts';
import { newVisitor, restAs, stack, unique, widget, widgetReady } from '../support/chat.ts';
import { startProxy } from '../support/proxy.ts';

test('messages sent while the connection is down appear once it is back, without duplicates', async ({ browser }) => {
  const { demoUrl, serverUrl } = stack();
  const proxy = await startProxy(new URL(serverUrl));
  const danApi = await restAs(dan);
  const dialogId = await danApi.dialogWith(nina);
  const before = unique('Before the drop');
  await danApi.send(dialogId, before);

  // Nina's page loads the widget through the proxy: a page on the demo origin whose script tag
  // points at the proxy, so the widget's REST calls and WebSocket all go through it.
  const n = await newVisitor(browser);
  await n.page.goto(`${demoUrl}/e2e-host/${nina.id}?server=${encodeURIComponent(proxy.url)}`);
  await widgetReady(n.page);
  const nw = widget(n.page);
  await n.page.evaluate((id) => window.imbaApi?.openDialog(id), dan.id);
  await expect(nw.log.getByText(before)).toBeVisible();

  proxy.drop();
  const during = [unique('Sent during the drop 1'), unique('Sent during the drop 2'), unique('Sent during the drop 3')];
  for (const text of during) await danApi.send(dialogId, text);
  // The widget notices: it says so, and its reconnect attempts are being turned away.
  await expect(n.page.getByText(/Connecting/)).toBeVisible();
  await expect.poll(() => proxy.refused).toBeGreaterThan(0);
  for (const text of during) await expect(nw.log.getByText(text)).toHaveCount(0);

  proxy.restore();
  for (const text of during) await expect(nw.log.getByText(text)).toBeVisible();
  await expect(n.page.getByText(/Connecting/)).toBeHidden();

  // A message sent live after the reconnect arrives after the caught-up ones: by then any
  // duplicate delivery of the missed messages would have been rendered too.
  const after = unique('After the drop');
  await danApi.send(dialogId, after);
  await expect(nw.log.getByText(after)).toBeVisible();
  for (const text of [before, ...during, after]) await expect(nw.log.getByText(text)).toHaveCount(1);

  expect(n.dialogs).toEqual([]);
  await n.context.close();
  await proxy.close();
});
