// What is served for an uploaded image: upright, with nothing of the camera's metadata left
// (location above all), in its own format, with a small thumbnail; damaged images and pixel bombs refused.
import { afterAll, describe, expect, it } from 'vitest';
import sharp, { type Sharp } from 'sharp';
import { ImageError, MAX_INPUT_PIXELS, processImage } from './images.ts';
import { THUMB_MAX_PX } from '../../realtime/protocol.ts';
import { blackPng, tempDir } from './test-files.ts';

const dir = tempDir('images');
afterAll(() => dir.remove());

const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Ann Example"/></rdf:RDF></x:xmpmeta>';
// The GPS IFD pointer tag (0x8825), little-endian as sharp writes it.
const GPS_POINTER = Buffer.from([0x25, 0x88]);

/** 40×20: left half red, right half blue, so a rotation shows in the pixels, not only the size. */
function halves(): Sharp {
  const pixels = Buffer.alloc(40 * 20 * 3);
  for (let i = 0; i < 40 * 20; i++) pixels.set((i % 40) < 20 ? [255, 0, 0] : [0, 0, 255], i * 3);
  return sharp(pixels, { raw: { width: 40, height: 20, channels: 3 } });
}

async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * 3;
  return Array.from(data.subarray(at, at + 3));
}

async function expectImageError(promise: Promise<unknown>, message: string): Promise<ImageError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ImageError);
  expect((err as ImageError).code).toBe('file_unreadable');
  expect((err as ImageError).message).toBe(message);
  expect((err as ImageError).cause).toBeDefined();
  return err as ImageError;
}

describe('a photo from a phone', () => {
  it('is turned upright and loses its EXIF (GPS, camera make, orientation) and XMP', async () => {
    const photo = await halves()
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: { Make: 'Acme', Model: 'Phone 9' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
      .withXmp(XMP)
      .toBuffer();
    const before = await sharp(photo).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.includes('Acme')).toBe(true);
    expect(before.exif?.includes(GPS_POINTER)).toBe(true);
    expect(before.xmp).toBeDefined();

    const out = await processImage(dir.write('photo.jpg', photo), 'image/jpeg');
    const after = await sharp(out.data).metadata();
    expect(after.format).toBe('jpeg');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(out.data.includes('Acme')).toBe(false);
    expect(out.data.includes('Ann Example')).toBe(false);
    expect([out.mime, out.width, out.height]).toEqual(['image/jpeg', 20, 40]);
    // Orientation 6 means "rotate 90° clockwise to show": the left (red) half becomes the top.
    const [r1, , b1] = await pixel(out.data, 10, 5);
    const [r2, , b2] = await pixel(out.data, 10, 35);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
    expect(out.thumb).toMatchObject({ mime: 'image/webp', width: 20, height: 40 });
    expect((await sharp(out.thumb.data).metadata()).format).toBe('webp');
  });
});

describe('each format is re-encoded as itself', () => {
  it('keeps PNG and WebP, dropping their metadata too', async () => {
    for (const [mime, format] of [['image/png', 'png'], ['image/webp', 'webp']] as const) {
      const input = await halves().toFormat(format).withExif({ IFD0: { Make: 'Acme' } }).withXmp(XMP).toBuffer();
      expect((await sharp(input).metadata()).exif).toBeDefined();
      const out = await processImage(dir.write(`in.${format}`, input), mime);
      const meta = await sharp(out.data).metadata();
      expect([meta.format, out.mime, out.width, out.height]).toEqual([format, mime, 40, 20]);
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
    }
  });

  it('keeps every frame of an animated GIF, its timing, and gives one frame to the thumbnail', async () => {
    const frames = await Promise.all(['red', 'lime', 'blue'].map((background) => sharp({ create: { width: 30, height: 20, channels: 4, background } }).png().toBuffer()));
    const gif = await sharp(frames, { join: { animated: true } }).gif({ delay: [100, 200, 300], loop: 0 }).toBuffer();
    const out = await processImage(dir.write('anim.gif', gif), 'image/gif');
    const meta = await sharp(out.data, { animated: true }).metadata();
    expect([meta.format, meta.pages, meta.pageHeight, meta.delay]).toEqual(['gif', 3, 20, [100, 200, 300]]);
    expect([out.width, out.height]).toEqual([30, 20]);
    expect(out.thumb).toMatchObject({ width: 30, height: 20 });
    expect((await sharp(out.thumb.data, { animated: true }).metadata()).pages ?? 1).toBe(1);
  });
});

describe('the thumbnail', () => {
  it('fits inside THUMB_MAX_PX and is never enlarged', async () => {
    const wide = await sharp({ create: { width: 1000, height: 500, channels: 3, background: 'teal' } }).png().toBuffer();
    const out = await processImage(dir.write('wide.png', wide), 'image/png');
    expect(out.thumb).toMatchObject({ mime: 'image/webp', width: THUMB_MAX_PX, height: THUMB_MAX_PX / 2 });
    const small = await sharp({ create: { width: 50, height: 30, channels: 3, background: 'teal' } }).png().toBuffer();
    expect((await processImage(dir.write('small.png', small), 'image/png')).thumb).toMatchObject({ width: 50, height: 30 });
  });
});

describe('images that cannot be served', () => {
  const DAMAGED = 'The image could not be read: it is damaged or in a form that cannot be decoded.';

  it('refuses a truncated PNG or JPEG in plain words, keeping sharp\'s reason as the cause', async () => {
    const noisy = { create: { width: 64, height: 64, channels: 3 as const, background: 'white', noise: { type: 'gaussian' as const, mean: 128, sigma: 40 } } };
    const png = await sharp(noisy).png().toBuffer();
    await expectImageError(processImage(dir.write('cut.png', png.subarray(0, png.length >> 1)), 'image/png'), DAMAGED);
    const jpeg = await sharp(noisy).jpeg().toBuffer();
    await expectImageError(processImage(dir.write('cut.jpg', jpeg.subarray(0, jpeg.length >> 1)), 'image/jpeg'), DAMAGED);
  });

  it('refuses a pixel bomb before decoding it', async () => {
    const bomb = blackPng(7000, 6000); // 42 MP in a few kilobytes
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ format: 'png', width: 7000, height: 6000 });
    await expectImageError(processImage(dir.write('bomb.png', bomb), 'image/png'), `The image is too large to process: it is over ${MAX_INPUT_PIXELS / 1e6} megapixels.`);
  });

  it('refuses bytes that are not the format it was told, rather than decode whatever they are', async () => {
    const png = await halves().png().toBuffer();
    await expectImageError(processImage(dir.write('liar.jpg', png), 'image/jpeg'), DAMAGED);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await expectImageError(processImage(dir.write('vector.png', svg), 'image/png'), DAMAGED);
  });

  it('is not asked to process a type it does not re-encode', async () => {
    await expect(processImage(dir.write('doc.pdf', '%PDF-1.4'), 'application/pdf')).rejects.toThrow(TypeError);
  });
});
