// Token refresh: the server closes the socket when the token expires (4001 token_expired); with
// getToken the widget gets a new one and resumes without losing a message; without it, it says
// "Session expired — reload the page", and imbaApi.updateToken(token) brings it back.
import { expect, test } from '@playwright/test';
import { signChatToken } from '@imbachat/demo';
import { live, openDialog, rest, stranger, ui, unique, widgetPage, zoe } from '../support/live.ts';

test('an expiring token is renewed with getToken and nothing sent meanwhile is lost', async ({ browser }) => {
  const me = stranger('renew');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  const zoeApi = await rest(zoe);
  const u = await widgetPage(browser, me, { ttl: 8, getToken: true, holdTokens: true });
  const w = ui(u.page);
  await openDialog(u.page, zoe);

  // The token expires (8 s: the widget is ready well before on a busy machine); the widget asks the page for a new one (held back for now).
  await expect.poll(() => u.tokenCalls(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  const closes = u.received.length;
  const missed = [unique('Written while renewing 1'), unique('Written while renewing 2')];
  for (const text of missed) await zoeApi.send(dialogId, text);
  u.releaseTokens();
  for (const text of missed) await expect(w.log.getByText(text)).toHaveCount(1);
  // It came back resuming its event stream, not starting over.
  expect(u.sent.filter((f) => f.type === 'auth').at(-1)).toHaveProperty('resume_from');
  expect(u.received.slice(closes).find((f) => f.type === 'ready')).toMatchObject({ resumed: true });
  await expect(u.page.getByText('Session expired — reload the page')).toHaveCount(0);

  const after = unique('Live again');
  await zoeApi.send(dialogId, after);
  await expect(w.log.getByText(after)).toHaveCount(1);
  await w.composer.fill(unique('Me too'));
  await w.composer.press('Enter');
  await expect(w.log.getByText('Sending…')).toHaveCount(0);
  await u.close();
});

test('without getToken an expired session says so; updateToken brings it back', async ({ browser }) => {
  const me = stranger('expire');
  const dialogId = await (await rest(me)).dialogWith(zoe);
  // Long enough for the widget to be ready first on a busy machine; then the token runs out.
  const u = await widgetPage(browser, me, { ttl: 8 });
  const w = ui(u.page);
  await openDialog(u.page, zoe);
  await expect(u.page.getByRole('alert').filter({ hasText: 'Session expired — reload the page' })).toBeVisible({ timeout: 30_000 });
  await expect(w.composer).toBeDisabled();

  const token = await signChatToken(live().secretKey, me.id, 600);
  await u.page.evaluate((t) => window.imbaApi?.updateToken(t), token);
  await expect(u.page.getByText('Session expired — reload the page')).toHaveCount(0);
  await expect(w.composer).toBeEnabled();
  const text = unique('Back after a new token');
  await (await rest(zoe)).send(dialogId, text);
  await expect(w.log.getByText(text)).toHaveCount(1);
  await u.close();
});
