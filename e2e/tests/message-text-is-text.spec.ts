// Message text never becomes markup: HTML shows as typed, javascript: stays plain text, http(s)
// links become safe links, and nothing runs, for the sender or for the recipient.
import { expect, test } from '@playwright/test';
import { ahmed, maria } from '../support/users.ts';
import { stack, unique, visit, widget } from '../support/chat.ts';

test('HTML and a javascript: link in a message are shown as text and nothing runs, on both sides', async ({ browser }) => {
  const sender = await visit(browser, ahmed);
  // Maria's chat speaks Russian: the recipient side reads the log only, which has no words of its own.
  const recipient = await visit(browser, maria);
  for (const v of [sender, recipient]) {
    await v.context.addInitScript(() => {
      (window as unknown as { __ran: string[] }).__ran = [];
    });
    await v.page.reload();
  }
  const tag = unique('x').replace(' ', '-');
  const img = `<img src=x onerror=alert(1)> ${tag}`;
  const script = `<script>window.__ran.push('script')</script><b onmouseover="alert(2)">bold ${tag}</b>`;
  const jsLink = `javascript:alert(1) ${tag}`;
  const markdownLink = `[click me ${tag}](javascript:alert(3))`;
  const webLink = `http://127.0.0.1:9/safe-${tag}`;

  const sw = widget(sender.page);
  await sender.page.goto(`${stack().demoUrl}/users/${maria.id}`);
  await sender.page.getByRole('button', { name: 'Write a message' }).click();
  for (const text of [img, script, jsLink, markdownLink]) {
    await sw.composer.fill(text);
    await sw.send.click();
    await expect(sw.log.getByText(text, { exact: true })).toBeVisible();
  }
  await sw.composer.fill(`see ${webLink} please`);
  await sw.send.click();
  await expect(sw.log.getByRole('link', { name: webLink })).toBeVisible();

  const rw = widget(recipient.page);
  await recipient.page.getByRole('button', { name: `Write a message to ${ahmed.name}` }).click();

  for (const { page } of [sender, recipient]) {
    const log = widget(page).log;
    for (const text of [img, script, jsLink, markdownLink]) await expect(log.getByText(text, { exact: true })).toBeVisible();
    await expect(log.locator('img[src="x"], script, b, [onerror], [onmouseover]')).toHaveCount(0);
    await expect(log.locator('a[href^="javascript:" i], a[href^="data:" i]')).toHaveCount(0);

    const link = log.getByRole('link', { name: webLink });
    await expect(link).toHaveAttribute('href', webLink);
    await expect(link).toHaveAttribute('target', '_blank');
    const rel = (await link.getAttribute('rel')) ?? '';
    expect(rel.split(/\s+/).sort()).toEqual(expect.arrayContaining(['nofollow', 'noopener', 'noreferrer']));

    // Clicking the would-be link and hovering the would-be bold text does nothing either.
    await log.getByText(jsLink, { exact: true }).click();
    await log.getByText(script, { exact: true }).hover();
    expect(await page.evaluate(() => (window as unknown as { __ran: string[] }).__ran)).toEqual([]);
  }
  await expect(rw.log).toBeVisible();
  expect(sender.dialogs).toEqual([]);
  expect(recipient.dialogs).toEqual([]);
  await sender.context.close();
  await recipient.context.close();
});
