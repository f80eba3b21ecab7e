// Every catalogue the widget ships, on a 320 and a 375 px phone: no control label, time or header
// text is cut (only people's names and message text, marked dir="auto", may end in "…"), and a
// right-to-left name sits next to its avatar, in the list and in the header. Screenshots of each
// state go to the test's output.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, expect, test } from '@playwright/test';
import { DEMO_USERS } from '@imbachat/demo';
import { settle } from '../support/chat.ts';
import { embed } from '../support/embed.ts';
import { cutTexts, gapToAvatar } from '../support/layout.ts';
import { maxi, rest, stranger, unique } from '../support/live.ts';

const I18N = join(import.meta.dirname, '../../widget/src/i18n');
/** One file per language, named by its tag (en.ts, ru.ts…): a new catalogue is tested without a change here. */
const LANGS = readdirSync(I18N)
  .map((f) => /^([a-z]{2,3})\.ts$/.exec(f)?.[1])
  .filter((l): l is string => l !== undefined);

type Texts = Record<string, string>;
async function catalogue(lang: string): Promise<Texts> {
  const mod = (await import(pathToFileURL(join(I18N, `${lang}.ts`)).href)) as Record<string, unknown>;
  const texts = Object.values(mod).find((v): v is Texts => typeof v === 'object' && v !== null && 'openChat' in v);
  if (!texts) throw new Error(`${lang}.ts exports no catalogue`);
  return texts;
}

const person = (u: (typeof DEMO_USERS)[number]) => ({ id: String(u.id), name: u.name });
const arabic = person(DEMO_USERS.find((u) => /\p{Script=Arabic}/u.test(u.name))!);
const longCyrillic = person(DEMO_USERS.find((u) => /\p{Script=Cyrillic}/u.test(u.name) && u.name.length > 40)!);

/**
 * Makes sure the long-named member was online once and is offline now, so her header says "last
 * seen …". She takes part in no other spec; the tests here run one after the other (below), so
 * nobody brings her back online while one of them looks.
 */
async function lastSeenOnce(browser: Browser): Promise<void> {
  const probe = await rest(stranger('layout-probe'));
  const dialogId = await probe.dialogWith(longCyrillic);
  const state = async () => {
    const d = (await probe.dialog(dialogId)) as unknown as { members_state: { user_id: string; online: boolean; last_seen_at: string | null }[] };
    return d.members_state.find((m) => m.user_id === longCyrillic.id)!;
  };
  const now = await state();
  if (now.last_seen_at !== null && !now.online) return;
  const tab = await embed(browser, longCyrillic);
  await tab.close();
  await expect.poll(async () => { const s = await state(); return !s.online && s.last_seen_at !== null; }, { timeout: 20_000 }).toBe(true);
}

async function shoot(page: Page, name: string): Promise<void> {
  await settle(page);
  await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
  expect.soft(await cutTexts(page), `${name}: texts that are cut`).toEqual([]);
  expect.soft(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${name}: the page scrolls sideways`).toBe(true);
}

// The long-named member's presence is shared by these tests: they run in order, in one worker.
test.describe.configure({ mode: 'default' });
test.beforeAll(async ({ browser }) => lastSeenOnce(browser));

for (const lang of LANGS) {
  for (const width of [320, 375]) {
    test(`${lang} at ${width} px: nothing cut, right-to-left names at their avatars`, async ({ browser }) => {
      const c = await catalogue(lang);
      const me = stranger(`layout-${lang}`);
      const mine = await rest(me);
      const withLong = await mine.dialogWith(longCyrillic);
      await mine.send(withLong, unique('Добрый день! Часы готовы?'));
      await (await rest(longCyrillic)).send(withLong, unique('Да, можно забирать в субботу'));
      const withMaxi = await mine.dialogWith(maxi);
      await (await rest(maxi)).send(withMaxi, unique('The archive opens at nine.'));
      const withArabic = await mine.dialogWith(arabic);
      await mine.send(withArabic, unique('Hello!'));
      await (await rest(arabic)).send(withArabic, 'مرحبا! الصور جاهزة، سأرسلها الليلة');

      const tab = await embed(browser, me, { lang, width, height: width === 320 ? 568 : 667, phone: true });
      const page = tab.page;
      await page.getByRole('button', { name: c.openChat, exact: true }).click();
      const row = (name: string) => page.getByRole('button', { name, exact: true });
      await expect(row(arabic.name)).toBeVisible();

      // The list: the Arabic name and preview start at the avatar, the switches keep their words.
      const arabicRow = row(arabic.name);
      expect(await gapToAvatar(arabicRow.locator('.avatar-wrap'), arabicRow.locator('.name'))).toBeLessThanOrEqual(14);
      expect(await gapToAvatar(arabicRow.locator('.avatar-wrap'), arabicRow.locator('.preview'))).toBeLessThanOrEqual(14);
      for (const label of [c.sound!, c.desktopNotifications!]) await expect(page.getByRole('switch', { name: label })).toHaveText(label);
      await shoot(page, `list-${lang}-${width}`);

      // The Arabic partner's header: the name next to the avatar.
      await arabicRow.click();
      const header = page.locator('imbachat-widget').locator('header');
      await expect(header.locator('h2')).toHaveText(arabic.name);
      expect(await gapToAvatar(header.locator('.avatar-wrap'), header.locator('h2 bdi'))).toBeLessThanOrEqual(12);
      await shoot(page, `dialog-arabic-${lang}-${width}`);

      // The long Cyrillic name, last seen: status and "open profile" both whole.
      await page.getByRole('button', { name: c.back, exact: true }).click();
      await row(longCyrillic.name).click();
      const [before, after] = c.lastSeen!.split('{when}');
      await expect(header.locator('.status-line')).toContainText(before!.trim());
      if (after!.trim()) await expect(header.locator('.status-line')).toContainText(after!.trim());
      await expect(header.getByRole('link', { name: c.profile, exact: true })).toBeVisible();
      await shoot(page, `dialog-long-name-${lang}-${width}`);
      await tab.close();
    });
  }
}
