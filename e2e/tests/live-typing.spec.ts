// Typing: "Zoë is typing…" appears while the partner types and goes away when they clear the box,
// send, or stop refreshing it (expiry); the typist's widget sends at most one start per 3 s.
import { expect, test } from '@playwright/test';
import { openDialog, rest, stranger, ui, unique, widgetPage, zoe } from '../support/live.ts';

test('the partner sees "… is typing" appear and disappear; starts are throttled, stops are sent', async ({ browser }) => {
  const me = stranger('typing');
  const mine = await rest(me);
  await mine.send(await mine.dialogWith(zoe), 'Hi Zoë'); // the dialog shows up in her list with a first message
  const u = await widgetPage(browser, me);
  await openDialog(u.page, zoe);
  const typing = ui(u.page).header.getByText('Zoë is typing…');

  const z = await widgetPage(browser, zoe);
  await ui(z.page).launcher.click();
  await ui(z.page).dialog(me.name).click();
  const box = ui(z.page).composer;

  await box.pressSequentially('Hello there, how are');
  await expect(typing).toBeVisible();
  // A burst of keys is one typing.start, not one per key.
  expect(z.sent.filter((f) => f.type === 'typing.start')).toHaveLength(1);

  await box.fill('');
  await box.dispatchEvent('input');
  await expect(typing).toBeHidden();
  expect(z.sent.filter((f) => f.type === 'typing.stop').length).toBeGreaterThanOrEqual(1);

  await box.pressSequentially('Back again');
  await expect(typing).toBeVisible();
  await u.page.screenshot({ path: test.info().outputPath('typing-desktop.png') });
  const text = unique('Sent, so no longer typing');
  await box.fill(text);
  await box.press('Enter');
  await expect(ui(u.page).log.getByText(text)).toBeVisible();
  await expect(typing).toBeHidden();

  await z.close();
  await u.close();
});

test('a typing indicator whose typist went quiet (no stop ever came) expires', async ({ browser }) => {
  const me = stranger('typing-expiry');
  const mine = await rest(me);
  await mine.send(await mine.dialogWith(zoe), 'Hi Zoë');
  const u = await widgetPage(browser, me, { viewport: { width: 375, height: 667 } });
  await openDialog(u.page, zoe);
  const typing = ui(u.page).header.getByText('Zoë is typing…');

  // Zoë's browser loses every typing.stop on the way, as when a tab freezes mid-sentence.
  const zp = await widgetPage(browser, zoe);
  await zp.context.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      if (!String(m).includes('typing.stop')) server.send(m);
    });
    server.onMessage((m) => ws.send(m));
  });
  await zp.reload();
  await ui(zp.page).launcher.click();
  await ui(zp.page).dialog(me.name).click();
  await ui(zp.page).composer.pressSequentially('I was about to say');
  await expect(typing).toBeVisible();
  await u.page.screenshot({ path: test.info().outputPath('typing-phone.png') });
  await ui(zp.page).composer.fill('');
  await ui(zp.page).composer.dispatchEvent('input');
  // The stop never arrives; the indicator still goes away once the typing state expires (~6 s).
  await expect(typing).toBeHidden({ timeout: 20_000 });
  await zp.close();
  await u.close();
});
