// A big group on a phone, in every catalogue, at 320 and 375 px: a long title, 30 members with
// Latin, Cyrillic and Arabic names, system messages and senders' faces. Nothing of ours is cut
// (only names and message text may end in "…"), nothing scrolls sideways, and the member list
// scrolls to its last member. Screenshots of the list, the conversation, the member list and
// "New chat" go to the test's output.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Page, expect, test } from '@playwright/test';
import { DEMO_USERS } from '@imbachat/demo';
import { settle } from '../support/chat.ts';
import { embed } from '../support/embed.ts';
import { cutTexts } from '../support/layout.ts';
import { rest, stranger, unique } from '../support/live.ts';

const I18N = join(import.meta.dirname, '../../widget/src/i18n');
const LANGS = readdirSync(I18N)
  .map((f) => /^([a-z]{2,3})\.ts$/.exec(f)?.[1])
  .filter((l): l is string => l !== undefined);

type Texts = Record<string, string>;
/** A language's texts: its catalogue, and the parts that come with a chunk's code (en-groups.ts…). */
async function catalogue(lang: string): Promise<Texts> {
  const load = async (file: string) => Object.values((await import(pathToFileURL(join(I18N, file)).href)) as Record<string, unknown>);
  const texts = { ...(await load(`${lang}.ts`)).find((v): v is Texts => typeof v === 'object' && v !== null && 'openChat' in v)! };
  for (const part of readdirSync(I18N).filter((f) => f.startsWith(`${lang}-`))) Object.assign(texts, ...(await load(part)));
  return texts;
}
const plural = (c: Texts, lang: string, key: string, n: number) => fill(c[`${key}_${new Intl.PluralRules(lang).select(n)}`] ?? c[`${key}_other`]!, { n });
const fill = (text: string, vars: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (all, k: string) => String(vars[k] ?? all));

const person = (u: (typeof DEMO_USERS)[number]) => ({ id: String(u.id), name: u.name });
const arabic = person(DEMO_USERS.find((u) => /\p{Script=Arabic}/u.test(u.name))!);
const cyrillic = person(DEMO_USERS.find((u) => /\p{Script=Cyrillic}/u.test(u.name) && u.name.length > 40)!);

async function shoot(page: Page, name: string): Promise<void> {
  await settle(page);
  await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
  expect.soft(await cutTexts(page), `${name}: texts that are cut`).toEqual([]);
  expect.soft(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${name}: the page scrolls sideways`).toBe(true);
}

for (const lang of LANGS) {
  for (const width of [320, 375]) {
    test(`${lang} at ${width} px: a group of 30 with a long title, its conversation, members and "New chat"`, async ({ browser }) => {
      const c = await catalogue(lang);
      const me = stranger(`glayout-${lang}`);
      const others = Array.from({ length: 26 }, (_, i) => stranger(`m${String(i).padStart(2, '0')}`));
      const mine = await rest(me);
      const title = unique('Клуб любителей очень длинных названий групп и горных походов выходного дня');
      const groupId = await mine.group(title, [arabic, cyrillic, ...others, { id: DEMO_USERS[0]!.id }]);
      await (await rest(arabic)).send(groupId, 'مرحبا بالجميع! متى نلتقي؟');
      await (await rest(cyrillic)).send(groupId, unique('Добрый день! Я возьму палатку.'));
      await mine.send(groupId, unique('See you all on Saturday'));
      await (await rest(others[0]!)).call('POST', `/dialogs/${groupId}/leave`);

      const tab = await embed(browser, me, { lang, width, height: width === 320 ? 568 : 667, phone: true });
      const page = tab.page;
      await page.getByRole('button', { name: c.openChat, exact: true }).click();
      const row = page.getByRole('button', { name: title, exact: true });
      await expect(row).toBeVisible();
      await shoot(page, `list-${lang}-${width}`);

      await row.click();
      const header = page.locator('imbachat-widget').locator('header');
      await expect(header.locator('h2')).toHaveText(title);
      await expect(page.getByRole('log').getByText('مرحبا بالجميع! متى نلتقي؟')).toBeVisible();
      // Someone who left before this page is in no member list: the message kept their name
      // (system.names), so every language still names them.
      await expect(page.getByRole('log').locator('.sys').last()).toHaveText(fill(c.sysLeft!, { actor: others[0]!.name }));
      await shoot(page, `group-${lang}-${width}`);

      // The members: 29 after one left, owner first, the last one reachable by scrolling.
      await page.getByRole('button', { name: plural(c, lang, 'members', 29), exact: true }).click();
      await expect(page.getByRole('heading', { name: c.groupInfo, exact: true })).toBeVisible();
      const members = page.locator('imbachat-widget').locator('.members > li');
      await expect(members).toHaveCount(29);
      await expect(members.first()).toContainText(c.owner!);
      await shoot(page, `members-${lang}-${width}`);
      await members.last().scrollIntoViewIfNeeded();
      await expect(members.last()).toBeInViewport();
      await page.getByRole('button', { name: fill(c.memberActions!, { name: arabic.name }), exact: true }).click();
      await expect(page.getByRole('button', { name: c.makeAdmin, exact: true })).toBeVisible();
      await shoot(page, `member-actions-${lang}-${width}`);

      // "New chat" offers everyone the person has a dialog with.
      await page.getByRole('button', { name: c.backToChat, exact: true }).click();
      await page.getByRole('button', { name: c.back, exact: true }).click();
      await page.getByRole('button', { name: c.newChat, exact: true }).click();
      await expect(page.getByRole('checkbox', { name: arabic.name })).toBeVisible();
      await page.getByRole('checkbox', { name: arabic.name }).check();
      await page.getByRole('checkbox', { name: cyrillic.name }).check();
      await expect(page.getByRole('textbox', { name: c.groupName, exact: true })).toBeVisible();
      await shoot(page, `new-chat-${lang}-${width}`);
      await tab.close();
    });
  }
}
