// Attachments through the real widget and the real server: images pasted into the composer upload
// with a progress bar and show their thumbnails, the other person sees them live and opens them in
// the viewer from the keyboard; a PDF picked with the paperclip arrives as a card and downloads
// under its name; a file the server refuses says why in its tile, in the page's language.
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from '../support/axe.ts';
import { settle } from '../support/chat.ts';
import { pasteImages, pdfBytes, throttleUploads } from '../support/files.ts';
import { openDialog, rest, stranger, ui, unique, widgetPage } from '../support/live.ts';

/** Screenshots to look at (not compared): under E2E_SHOTS_DIR when set, else the test's output folder. */
const shot = (name: string) => (process.env.E2E_SHOTS_DIR ? `${process.env.E2E_SHOTS_DIR}/${name}` : test.info().outputPath(name));

/** Two people with a dialog between them, each with it open in their own browser. */
async function pair(browser: import('@playwright/test').Browser, label: string, o: Parameters<typeof widgetPage>[2] = {}) {
  const me = stranger(`${label}-me`);
  const you = stranger(`${label}-you`);
  const api = await rest(me);
  await api.send(await api.dialogWith(you), unique('Hello')); // in both lists from the start
  const [a, b] = await Promise.all([widgetPage(browser, me, o), widgetPage(browser, you, o)]);
  await openDialog(a.page, you);
  await openDialog(b.page, me);
  return { me, you, a, b };
}

test('pasted images upload with progress and show their thumbnails; the other side sees them live and opens the viewer by keyboard', async ({ browser }) => {
  const { a, b } = await pair(browser, 'att-paste');
  const [aw, bw] = [ui(a.page), ui(b.page)];
  // A slow link, so the upload can be watched: about 200 KB/s for two images of a few hundred KB.
  await throttleUploads(a.page, 200 * 1024);
  await pasteImages(a.page, [
    { name: 'Beach at noon.png', width: 640, height: 480, noise: true },
    { name: 'Пляж вечером.png', width: 480, height: 640 },
  ]);
  const tray = a.page.getByRole('list', { name: 'Files to send' });
  const bar = a.page.getByRole('progressbar', { name: 'Uploading Beach at noon.png' });
  await expect(bar).toBeVisible();
  // The bar moves as the bytes go (not only at the start and the end).
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000 }).toBeGreaterThan(0);
  await a.page.screenshot({ path: shot('tray-uploading-desktop.png') });
  // Send waits for the files.
  await expect(a.page.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
  await expect(a.page.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
  await throttleUploads(a.page, 0);
  // Uploaded: each tile shows its local thumbnail and its size.
  const tiles = tray.getByRole('listitem');
  await expect(tiles).toHaveCount(2);
  for (const tile of await tiles.all()) {
    await expect(tile.locator('img')).toHaveJSProperty('complete', true);
    expect(await tile.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await expect(tile).toContainText(/\d+(\.\d)? kB/);
  }
  await expect(tiles.nth(1)).toContainText('Пляж вечером.png');

  const caption = unique('The beach today');
  await aw.composer.fill(caption);
  await aw.composer.press('Enter');
  await expect(tray).toHaveCount(0);
  await expect(aw.message(caption).getByText('Sending…')).toHaveCount(0);

  // The other side: two previews above the caption, live, loaded from the server.
  const bubble = bw.message(caption);
  await expect(bubble).toBeVisible();
  const first = bubble.getByRole('button', { name: 'Beach at noon.png' });
  await expect(first).toBeVisible();
  await expect(bubble.getByRole('button', { name: 'Пляж вечером.png' })).toBeVisible();
  await expect.poll(() => first.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(b.page.getByRole('button', { name: 'Beach at noon.png' }).locator('img')).toHaveAttribute('src', /\/files\/v1\/.+\/thumb\?exp=\d+&sig=/);

  // Opened from the keyboard: a modal named by the file, the focus in it.
  await first.focus();
  await b.page.keyboard.press('Enter');
  const viewer = b.page.getByRole('dialog', { name: 'Beach at noon.png' });
  await expect(viewer).toBeVisible();
  await expect(viewer).toHaveAttribute('aria-modal', 'true');
  await expect(viewer.getByRole('button', { name: 'Close' })).toBeFocused();
  await expect(viewer).toContainText('1 of 2');
  await settle(b.page);
  await b.page.screenshot({ path: shot('lightbox-desktop.png') });
  await expect.poll(() => viewer.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  await expect(viewer.getByRole('link', { name: 'Download Beach at noon.png' })).toHaveAttribute('href', /\/files\/v1\/[^/]+\/[^/?]+\?exp=/);
  // The arrow keys move between the message's images; Tab stays inside.
  await b.page.keyboard.press('ArrowRight');
  await expect(b.page.getByRole('dialog', { name: 'Пляж вечером.png' })).toContainText('2 of 2');
  for (let i = 0; i < 6; i++) await b.page.keyboard.press('Tab');
  expect(await b.page.locator('imbachat-widget').evaluate((h) => !!h.shadowRoot!.activeElement?.closest('.lightbox'))).toBe(true);
  // Escape closes the viewer, not the chat, and the focus goes back to the image that opened it.
  await b.page.keyboard.press('Escape');
  await expect(b.page.getByRole('dialog', { name: /Пляж|Beach/ })).toHaveCount(0);
  await expect(bw.composer).toBeVisible();
  await expect(first).toBeFocused();
  await Promise.all([a.close(), b.close()]);
});

test('a PDF picked with the paperclip arrives as a card and downloads under its name; files alone need no text', async ({ browser }) => {
  const { a, b } = await pair(browser, 'att-pdf');
  const name = 'Отчёт за квартал — Q3 2026.pdf';
  const chooser = a.page.waitForEvent('filechooser');
  await a.page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles({ name, mimeType: 'application/pdf', buffer: pdfBytes('Quarterly report') });
  const tile = a.page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
  await expect(tile).toContainText(name);
  const send = a.page.getByRole('button', { name: 'Send', exact: true });
  await expect(send).toBeEnabled(); // no text needed
  await send.click();

  const card = b.page.getByRole('link', { name: `Download ${name}` });
  await expect(card).toBeVisible();
  await expect(card).toContainText(name);
  await expect(card).toContainText(/\d+ bytes|kB/);
  const download = b.page.waitForEvent('download');
  await card.click();
  expect((await download).suggestedFilename()).toBe(name);
  // A message of files alone has no empty text line, and the list says what it is.
  await expect(ui(b.page).log.locator('.msg', { has: card }).locator('.bubble')).toHaveCount(0);
  await b.page.getByRole('button', { name: 'Back to chats' }).click();
  await expect(b.page.locator('imbachat-widget').locator('.preview').first()).toHaveText(`📎 ${name}`);
  await Promise.all([a.close(), b.close()]);
});

test('pointed at, the paperclip fetches the attach code, and the file picker then offers what the server takes', async ({ browser }) => {
  const me = stranger('att-accept');
  const you = stranger('att-accept-you');
  const api = await rest(me);
  await api.dialogWith(you);
  const u = await widgetPage(browser, me);
  await openDialog(u.page, you);
  const picker = u.page.locator('imbachat-widget').locator('input[type="file"]');
  await expect(picker).not.toHaveAttribute('accept'); // every file, until the server has said
  await u.page.getByRole('button', { name: 'Attach files' }).hover();
  const policy = await api.call<{ types: string[]; extensions: string[] }>('GET', '/uploads');
  expect(policy.extensions).toContain('.pdf');
  await expect(picker).toHaveAttribute('accept', [...policy.types, ...policy.extensions].join(','));
  await u.close();
});

test('files dragged over the conversation show the drop zone and, dropped, join the tray', async ({ browser }) => {
  const me = stranger('att-drop');
  const you = stranger('att-drop-you');
  await (await rest(me)).dialogWith(you);
  const u = await widgetPage(browser, me);
  await openDialog(u.page, you);
  const log = ui(u.page).log;
  // What a drag from the desktop brings: a DataTransfer of files, over the message log.
  const drag = await u.page.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(['Milk, eggs, bread\n'], 'shopping list.txt', { type: 'text/plain' }));
    return data;
  });
  const zone = u.page.getByText('Drop files to attach them');
  await expect(zone).toBeHidden();
  await log.dispatchEvent('dragenter', { dataTransfer: drag });
  await log.dispatchEvent('dragover', { dataTransfer: drag });
  await expect(zone).toBeVisible();
  await u.page.screenshot({ path: shot('drop-zone-desktop.png') });
  await log.dispatchEvent('drop', { dataTransfer: drag });
  await expect(zone).toBeHidden();
  const tile = u.page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
  await expect(tile).toContainText('shopping list.txt');
  await expect(tile).toContainText('18 bytes');
  // Leaving without dropping takes the zone away too.
  await log.dispatchEvent('dragenter', { dataTransfer: drag });
  await expect(zone).toBeVisible();
  await log.dispatchEvent('dragleave', { dataTransfer: drag });
  await expect(zone).toBeHidden();
  await u.close();
});

test('a file the server refuses says why in its tile, in the page language, and can be removed', async ({ browser }) => {
  const me = stranger('att-refused');
  const you = stranger('att-refused-you');
  await (await rest(me)).dialogWith(you);
  const en = await widgetPage(browser, me);
  await openDialog(en.page, you);
  // An HTML page named .png: the server reads the bytes, not the name.
  const chooser = en.page.waitForEvent('filechooser');
  await en.page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles({ name: 'cute-cat.png', mimeType: 'image/png', buffer: Buffer.from('<!doctype html><script>alert(1)</script>') });
  const tile = en.page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
  await expect(tile.getByRole('alert')).toHaveText('This type of file cannot be sent.');
  // The server's own sentence is there for whoever wants the details.
  await expect(tile.getByRole('alert')).toHaveAttribute('title', /HTML/);
  await expect(tile.getByRole('button', { name: 'Retry' })).toHaveCount(0); // it cannot succeed
  await expect(en.page.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
  await tile.getByRole('button', { name: 'Remove cute-cat.png' }).click();
  await expect(tile).toHaveCount(0);
  // Over the server's limit (10 MB by default): refused as too large, however the refusal arrives.
  const bigChooser = en.page.waitForEvent('filechooser');
  await en.page.getByRole('button', { name: 'Attach files' }).click();
  await (await bigChooser).setFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([pdfBytes('Scan'), Buffer.alloc(11 * 1024 * 1024, 0x20)]) });
  await expect(tile.getByRole('alert')).toHaveText('This file is too large.', { timeout: 30_000 });
  await expect(tile.getByRole('button', { name: 'Retry' })).toHaveCount(0);
  await en.close();

  // The same in Russian, for a program.
  const ru = await widgetPage(browser, me, { load: { lang: 'ru' } });
  await ru.page.evaluate((id) => window.imbaApi?.openDialog(id), you.id);
  await expect(ru.page.getByRole('textbox', { name: 'Сообщение' })).toBeVisible();
  const ruChooser = ru.page.waitForEvent('filechooser');
  await ru.page.getByRole('button', { name: 'Прикрепить файлы' }).click();
  await (await ruChooser).setFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1') });
  const ruTile = ru.page.getByRole('list', { name: 'Файлы к отправке' }).getByRole('listitem');
  await expect(ruTile.getByRole('alert')).toHaveText('Файлы такого типа отправлять нельзя.');
  await expect(ruTile.getByRole('button', { name: 'Убрать setup.exe' })).toBeVisible();
  await ru.page.screenshot({ path: shot('refused-ru-desktop.png') });
  await ru.close();
});

for (const width of [375, 320]) {
  test(`at ${width} px the tray scrolls sideways, bubbles and cards fit, and the viewer fits the screen`, async ({ browser }) => {
    const viewport = { width, height: width === 320 ? 568 : 667 };
    const { a, b } = await pair(browser, `att-${width}`, { viewport });
    const aw = ui(a.page);
    // Three files in the tray: an image, a PDF, and one refused.
    await pasteImages(a.page, [{ name: 'Mountains at dawn, wide shot.png', width: 1200, height: 600 }]);
    const chooser = a.page.waitForEvent('filechooser');
    await a.page.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles([
      { name: 'Itinerary with a very long name for the trip, final version.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Itinerary') },
      { name: 'notes.html', mimeType: 'text/html', buffer: Buffer.from('<p>hi</p>') },
    ]);
    const tray = a.page.getByRole('list', { name: 'Files to send' });
    await expect(tray.getByRole('alert')).toBeVisible();
    await expect(a.page.getByRole('progressbar')).toHaveCount(0);
    await settle(a.page);
    await a.page.screenshot({ path: shot(`tray-${width}.png`) });
    await tray.evaluate((el) => (el.scrollLeft = el.scrollWidth));
    await a.page.screenshot({ path: shot(`tray-${width}-end.png`) });
    await expectNoAxeViolations(a.page, `the tray at ${width} px`);
    // The tray scrolls sideways within the composer; the composer and Send stay on screen.
    const box = await tray.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(width + 0.5);
    expect(await tray.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await expect(a.page.getByRole('button', { name: 'Send', exact: true })).toBeInViewport();

    await tray.getByRole('button', { name: 'Remove notes.html' }).click();
    const text = unique('Plan for Saturday');
    await aw.composer.fill(text);
    await aw.composer.press('Enter');

    // The other side: the image at its shape and the card fit the bubble column.
    const bw = ui(b.page);
    const bubble = bw.message(text);
    const image = bubble.getByRole('button', { name: 'Mountains at dawn, wide shot.png' });
    await expect(image).toBeVisible();
    await expect.poll(() => image.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    const card = bubble.getByRole('link', { name: /^Download Itinerary/ });
    await expect(card).toBeVisible();
    const [ib, cb] = await Promise.all([image.boundingBox(), card.boundingBox()]);
    expect(Math.round(ib!.width / ib!.height)).toBe(2); // drawn at its own shape, 2:1
    for (const r of [ib!, cb!]) expect(r.x + r.width).toBeLessThanOrEqual(width + 0.5);
    // A long name ends in "…" inside the card and is there in full as its title.
    const name = card.locator('.file-name');
    expect(await name.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await expect(card).toHaveAttribute('title', 'Itinerary with a very long name for the trip, final version.pdf');
    await settle(b.page);
    await b.page.screenshot({ path: shot(`dialog-${width}.png`) });
    await expectNoAxeViolations(b.page, `a dialog with files at ${width} px`);

    await image.click();
    const viewer = b.page.getByRole('dialog', { name: 'Mountains at dawn, wide shot.png' });
    await expect(viewer).toBeVisible();
    await expect.poll(() => viewer.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1200);
    await settle(b.page);
    const shown = await viewer.locator('img').boundingBox();
    expect(shown!.x).toBeGreaterThanOrEqual(0);
    expect(shown!.x + shown!.width).toBeLessThanOrEqual(width + 0.5);
    expect(shown!.y + shown!.height).toBeLessThanOrEqual(viewport.height + 0.5);
    for (const control of [viewer.getByRole('button', { name: 'Close' }), viewer.getByRole('link', { name: /^Download/ })]) await expect(control).toBeInViewport({ ratio: 1 });
    await b.page.screenshot({ path: shot(`lightbox-${width}.png`) });
    await expectNoAxeViolations(b.page, `the viewer at ${width} px`);
    await viewer.getByRole('button', { name: 'Close' }).click();
    await expect(viewer).toHaveCount(0);
    await expect(image).toBeFocused();
    await Promise.all([a.close(), b.close()]);
  });
}
