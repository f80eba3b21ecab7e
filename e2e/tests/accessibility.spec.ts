// axe-core finds nothing in the widget (its open shadow root included) in any state a person sees:
// the closed launcher with its badge, the dialog list, a conversation with receipts, the empty list,
// a group with "Read by", its menu and its info, and "New chat" — on a desktop window and on a
// 375 px phone.
import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { DEMO_USERS } from '@imbachat/demo';
import { settle } from '../support/chat.ts';
import { embed } from '../support/embed.ts';
import { maxi, rest, stranger, ui, unique } from '../support/live.ts';

const maria = { id: String(DEMO_USERS[2]!.id), name: DEMO_USERS[2]!.name };
const ahmed = { id: String(DEMO_USERS[3]!.id), name: DEMO_USERS[3]!.name };

const screens = [
  { label: 'desktop', width: 1280, height: 800, phone: false },
  { label: '375', width: 375, height: 667, phone: true },
] as const;

/**
 * What a row of the list and the launcher show besides their name is status (time, preview, unread
 * count), given to screen readers as the description, and a picture (the avatar's initials stand in
 * for a photo of the one named). axe's label-content-name-mismatch counts all visible text as the
 * label; WCAG 2.5.3 asks for the visible label in the name. So for that rule a node passes when each
 * visible text inside it, outside the avatar, is in its accessible name or in its description.
 */
async function labelInNameOrDescription(page: Page, selector: string): Promise<string[]> {
  return page.locator('imbachat-widget').evaluate((host, sel) => {
    const root = host.shadowRoot!;
    const el = root.querySelector(sel)!;
    const name = (el.getAttribute('aria-label') ?? '').trim();
    const description = (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => root.getElementById(id)?.textContent ?? '')
      .join(' ');
    const clipped = (node: Element | null): boolean => {
      for (let e = node; e && e !== el; e = e.parentElement) if (getComputedStyle(e).clipPath !== 'none') return true;
      return false;
    };
    const missing: string[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      if (!text || clipped(n.parentElement) || n.parentElement?.closest('.avatar-wrap')) continue;
      if (!name.includes(text) && !description.includes(text)) missing.push(text);
    }
    return name ? missing : ['(no aria-label)'];
  }, selector);
}

/** Runs axe on the widget alone (the host page is not ours), screenshots the state, and expects no violation. */
async function audit(page: Page, name: string): Promise<void> {
  await settle(page);
  await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
  const results = await new AxeBuilder({ page }).include('imbachat-widget').analyze();
  // The audit must have looked inside the shadow root, or "no violations" would mean nothing.
  const reached = results.passes.some((rule) => rule.nodes.some((n) => Array.isArray(n.target[0])));
  expect(reached, `${name}: axe did not reach into the widget's shadow root`).toBe(true);
  const found: { rule: string; impact: string | null | undefined; nodes: string[] }[] = [];
  for (const v of results.violations) {
    const nodes: string[] = [];
    for (const n of v.nodes) {
      const target = n.target[0];
      if (v.id === 'label-content-name-mismatch' && Array.isArray(target) && target.length === 2) {
        const missing = await labelInNameOrDescription(page, String(target[1]));
        if (missing.length === 0) continue;
        nodes.push(`${JSON.stringify(n.target)}: visible text in neither name nor description: ${JSON.stringify(missing)}`);
      } else nodes.push(`${JSON.stringify(n.target)}: ${n.failureSummary?.replace(/\s+/g, ' ')}`);
    }
    if (nodes.length > 0) found.push({ rule: v.id, impact: v.impact, nodes });
  }
  expect.soft(found, `${name}: axe violations`).toEqual([]);
}

for (const screen of screens) {
  test(`axe finds nothing in the launcher, the list, a conversation and a group (${screen.label})`, async ({ browser }) => {
    const me = stranger('a11y');
    const owner = stranger('a11y-owner');
    const mine = await rest(me);
    // Maria wrote twice and is unread; Ahmed and I talked; Maximiliana read what I wrote and answered.
    const withMaria = await mine.dialogWith(maria);
    const mariaApi = await rest(maria);
    await mariaApi.send(withMaria, unique('Привет! Ты придёшь в субботу?'));
    await mariaApi.send(withMaria, unique('Напиши, когда сможешь'));
    const withAhmed = await mine.dialogWith(ahmed);
    await mine.send(withAhmed, unique('Are the harbour photos ready?'));
    await (await rest(ahmed)).send(withAhmed, unique('نعم، سأرسلها الليلة'));
    const group = unique('Corner Club lounge');
    const groupId = await (await rest(owner)).group(group, [me, maxi]);
    const maxiApi = await rest(maxi);
    await maxiApi.send(groupId, unique('Who brings the tea?'));
    await (await rest(owner)).send(groupId, unique('I do, the menu: https://example.org/tea'));
    const cake = await mine.send(groupId, unique('I bring cake, then'));
    await maxiApi.read(groupId, cake.id);
    const withMaxi = await mine.dialogWith(maxi);
    // Long enough to scroll, with nothing focusable in it: the log itself must take the focus.
    for (let i = 1; i <= 12; i++) await mine.send(withMaxi, unique(`Letter ${i} of the archive: dated, signed and sorted.`));
    const last = await mine.send(withMaxi, unique('Did you find the letters in the archive?'));
    await maxiApi.read(withMaxi, last.id);
    await maxiApi.send(withMaxi, unique('Yes, all of them.'));
    await maxiApi.send(withMaxi, unique('I will bring them on Saturday.'));

    const tab = await embed(browser, me, screen);
    const w = ui(tab.page);
    await expect(w.badge).toBeVisible();
    await audit(tab.page, `launcher-${screen.label}`);

    await w.launcher.click();
    await expect(w.dialog(maria.name)).toBeVisible();
    await expect(w.dialog(maria.name).locator('.count')).toHaveText('2');
    await audit(tab.page, `list-${screen.label}`);
    // The pointer resting on a read row (its hover background under grey texts) changes no contrast.
    if (!screen.phone) {
      await w.dialog(group).hover();
      await audit(tab.page, `list-hover-${screen.label}`);
    }

    await w.dialog(maxi.name).click();
    await expect(w.log.getByText('I will bring them on Saturday.', { exact: false })).toBeVisible();
    await expect(w.log.getByText('Read', { exact: true }).first()).toBeAttached();
    await expect(w.log.locator('.day')).toHaveCount(1);
    expect(await w.log.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    await audit(tab.page, `conversation-${screen.label}`);

    await tab.page.getByRole('button', { name: 'Back to chats' }).click();
    await w.dialog(group).click();
    await expect(w.header).toContainText('3 members');
    await expect(w.log.getByText(maxi.name)).toBeVisible();
    await audit(tab.page, `group-${screen.label}`);

    // The group's own parts: who read my message, the header menu, its info, and "New chat".
    const shadow = tab.page.locator('imbachat-widget');
    await tab.page.getByRole('button', { name: 'Read by 1' }).click();
    await expect(shadow.locator('.readers li')).toHaveCount(1);
    await tab.page.getByRole('button', { name: 'Chat menu' }).click();
    await expect(tab.page.getByRole('menu')).toBeVisible();
    await audit(tab.page, `group-menu-${screen.label}`);
    await tab.page.getByRole('menuitem', { name: 'Group info' }).click();
    await expect(tab.page.getByRole('heading', { name: 'Group info' })).toBeVisible();
    await expect(shadow.locator('.members > li')).toHaveCount(3);
    await audit(tab.page, `group-info-${screen.label}`);
    await tab.page.getByRole('button', { name: 'Back to the chat' }).click();
    await tab.page.getByRole('button', { name: 'Back to chats' }).click();
    await tab.page.getByRole('button', { name: 'New chat', exact: true }).click();
    await tab.page.getByRole('checkbox', { name: maria.name }).check();
    await tab.page.getByRole('checkbox', { name: ahmed.name }).check();
    await audit(tab.page, `new-chat-${screen.label}`);
    await tab.close();
  });

  test(`axe finds nothing in the empty dialog list (${screen.label})`, async ({ browser }) => {
    const tab = await embed(browser, stranger('a11y-empty'), screen);
    const w = ui(tab.page);
    await audit(tab.page, `launcher-empty-${screen.label}`);
    await w.launcher.click();
    await expect(tab.page.getByText('No conversations yet')).toBeVisible();
    await audit(tab.page, `list-empty-${screen.label}`);
    await tab.close();
  });
}
