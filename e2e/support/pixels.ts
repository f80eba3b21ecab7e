// Compares two screenshots taken in the same run, pixel by pixel, within a tolerance.
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export interface PixelDiff {
  width: number;
  height: number;
  differing: number;
  ratio: number;
  /** The diff image (differing pixels in red), to attach to the report. */
  png: Buffer;
}

export function comparePngs(a: Buffer, b: Buffer): PixelDiff {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  if (x.width !== y.width || x.height !== y.height) {
    throw new Error(`screenshots differ in size: ${x.width}×${x.height} vs ${y.width}×${y.height}`);
  }
  const diff = new PNG({ width: x.width, height: x.height });
  const differing = pixelmatch(x.data, y.data, diff.data, x.width, x.height, { threshold: 0.1 });
  return { width: x.width, height: x.height, differing, ratio: differing / (x.width * x.height), png: PNG.sync.write(diff) };
}
