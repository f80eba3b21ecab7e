// The demo site on a phone: nothing lays out wider than the screen, the long name included, and
// every "Log in" / "Message" button stays on screen.
import { devices, expect, test } from '@playwright/test';
import { DEMO_USERS } from '@imbachat/demo';
import { newVisitor, settle, stack, visit } from '../support/chat.ts';

const longName = DEMO_USERS.find((u) => u.name.length > 40)!;

for (const width of [320, 375]) {
  test(`the demo pages fit a ${width} px phone screen, long names included`, async ({ browser }) => {
    const phone = { ...devices['iPhone 13'], viewport: { width, height: 700 } };
    delete (phone as { defaultBrowserType?: string }).defaultBrowserType;
    const guest = await newVisitor(browser, phone);
    await guest.page.goto(`${stack().demoUrl}/login`);
    const fits = () => guest.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await fits()).toBe(true);
    const loginLong = guest.page.getByRole('button', { name: `Log in as ${longName.name}` });
    const box = await loginLong.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(width);
    await settle(guest.page);
    await guest.page.screenshot({ path: test.info().outputPath(`demo-login-${width}.png`), fullPage: true });
    await guest.context.close();

    const member = await visit(browser, DEMO_USERS[0]!, phone);
    await member.page.goto(`${stack().demoUrl}/`);
    expect(await member.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await member.page.screenshot({ path: test.info().outputPath(`demo-members-${width}.png`) });
    await member.context.close();
  });
}
