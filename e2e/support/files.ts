// Files for the attachment tests: images made in the page (a canvas, so they are real PNGs the
// server decodes) and pasted into the composer as a person's clipboard would, a small real PDF,
// and a slow upload link (Chromium's own throttling) so progress can be watched.
import type { Page } from '@playwright/test';

export interface PastedImage {
  name: string;
  width: number;
  height: number;
  /** Random pixels (a PNG of them barely compresses: a few hundred KB to watch uploading). */
  noise?: boolean;
}

/** Pastes PNG files into the widget's message box: a ClipboardEvent carrying a DataTransfer of Files. */
export async function pasteImages(page: Page, images: PastedImage[]): Promise<void> {
  await page.locator('imbachat-widget').evaluate(async (host, list) => {
    const files: File[] = [];
    for (const [i, im] of list.entries()) {
      const canvas = document.createElement('canvas');
      canvas.width = im.width;
      canvas.height = im.height;
      const g = canvas.getContext('2d')!;
      const sky = g.createLinearGradient(0, 0, 0, im.height);
      sky.addColorStop(0, ['#60a5fa', '#f97316', '#34d399'][i % 3]!);
      sky.addColorStop(1, '#1e3a8a');
      g.fillStyle = sky;
      g.fillRect(0, 0, im.width, im.height);
      g.fillStyle = '#fde68a';
      g.beginPath();
      g.arc(im.width * 0.7, im.height * 0.35, Math.min(im.width, im.height) * 0.15, 0, Math.PI * 2);
      g.fill();
      if (im.noise) {
        const data = g.getImageData(0, 0, im.width, im.height);
        for (let p = 0; p < data.data.length; p += 4) {
          const n = (Math.random() - 0.5) * 90;
          data.data[p] = Math.max(0, Math.min(255, data.data[p]! + n));
          data.data[p + 1] = Math.max(0, Math.min(255, data.data[p + 1]! + n));
          data.data[p + 2] = Math.max(0, Math.min(255, data.data[p + 2]! + n));
        }
        g.putImageData(data, 0, 0);
      }
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
      files.push(new File([blob], im.name, { type: 'image/png' }));
    }
    const data = new DataTransfer();
    for (const f of files) data.items.add(f);
    const box = host.shadowRoot!.querySelector('textarea')!;
    box.focus();
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
  }, images);
}

/** A one-page PDF: what file-type and a PDF reader both recognise. */
export function pdfBytes(title: string): Buffer {
  const body = [
    '%PDF-1.4',
    '1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj',
    '2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj',
    '3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources <</Font <</F1 5 0 R>>>>>> endobj',
    `4 0 obj <</Length ${44 + title.length}>> stream\nBT /F1 18 Tf 20 100 Td (${title}) Tj ET\nendstream endobj`,
    '5 0 obj <</Type /Font /Subtype /Type1 /BaseFont /Helvetica>> endobj',
    'trailer <</Root 1 0 R>>',
    '%%EOF',
  ];
  return Buffer.from(body.join('\n'), 'latin1');
}

/** Uploads from this page go at about `bytesPerSecond` (downloads unthrottled); 0 lifts it. */
export async function throttleUploads(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond > 0 ? bytesPerSecond : -1,
  });
}
