// Uploaded raster images made safe to serve: decoded, turned upright, stripped of every piece of
// metadata, re-encoded in their own format, plus a small WebP thumbnail of the first frame.
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { THUMB_MAX_PX } from '../../realtime/protocol.ts';

// Each upload is decoded once; a cache would only keep other people's pixels in memory.
sharp.cache(false);

/**
 * Pixel bombs: a PNG of a few kilobytes can declare 20000×20000 pixels and take 1.6 GB to decode.
 * 40 MP (160 MB decoded as RGBA) covers the 12–24 MP most cameras and phones save; 48 MP phone
 * modes are refused. An animated image counts all its frames: they are decoded together.
 */
export const MAX_INPUT_PIXELS = 40_000_000;

export const JPEG_QUALITY = 85;
export const WEBP_QUALITY = 85;
export const THUMB_QUALITY = 75;

export interface ProcessedImage {
  mime: string;
  /** After EXIF orientation was applied; for an animated image, one frame's. */
  width: number;
  height: number;
  /** What is served instead of the upload. */
  data: Buffer;
  thumb: { data: Buffer; mime: 'image/webp'; width: number; height: number };
}

/** The image cannot be decoded, or is too large to; `message` is for the uploader, `cause` for the log. */
export class ImageError extends Error {
  readonly code = 'file_unreadable' as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ImageError';
  }
}

const FORMATS = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' } as const;
type Format = (typeof FORMATS)[keyof typeof FORMATS];

const DAMAGED = 'The image could not be read: it is damaged or in a form that cannot be decoded.';
const TOO_LARGE = `The image is too large to process: it is over ${MAX_INPUT_PIXELS / 1_000_000} megapixels.`;

/** `mime` is what sniffFile read from the bytes: png, jpeg, gif or webp. */
export async function processImage(path: string, mime: string): Promise<ProcessedImage> {
  const format = Object.hasOwn(FORMATS, mime) ? FORMATS[mime as keyof typeof FORMATS] : undefined;
  if (format === undefined) throw new TypeError(`processImage handles png, jpeg, gif and webp, not ${mime}`);
  // Only GIF and WebP animate; reading every page of the others would only find nothing.
  const options: SharpOptions = {
    failOn: 'error',
    limitInputPixels: MAX_INPUT_PIXELS,
    animated: format === 'gif' || format === 'webp',
  };
  try {
    await checkHeader(path, format, options);
    // rotate() with no angle applies the EXIF orientation. Without keepMetadata/withMetadata sharp
    // writes no EXIF (GPS and camera serials included), XMP, IPTC or comments, and converts to sRGB.
    const { data, info } = await encode(sharp(path, options).rotate(), format).toBuffer({ resolveWithObject: true });
    const thumb = await sharp(data, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
      .resize({ width: THUMB_MAX_PX, height: THUMB_MAX_PX, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: THUMB_QUALITY })
      .toBuffer({ resolveWithObject: true });
    return {
      mime,
      width: info.width,
      height: info.pageHeight ?? info.height,
      data,
      thumb: { data: thumb.data, mime: 'image/webp', width: thumb.info.width, height: thumb.info.height },
    };
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageError(DAMAGED, { cause: err });
  }
}

/**
 * Reads only the header: its dimensions decide the pixel limit before any decoding, and its format
 * must be the one sniffed, since sharp would as happily decode an SVG or a TIFF handed to it.
 */
async function checkHeader(path: string, format: Format, options: SharpOptions): Promise<void> {
  const meta = await sharp(path, { ...options, limitInputPixels: false }).metadata();
  if (meta.format !== format) throw new ImageError(DAMAGED, { cause: new Error(`sniffed ${format}, sharp read ${meta.format}`) });
  if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_INPUT_PIXELS) {
    throw new ImageError(TOO_LARGE, { cause: new Error(`${meta.width}×${meta.height} pixels`) });
  }
}

function encode(image: Sharp, format: Format): Sharp {
  switch (format) {
    case 'png': return image.png();
    case 'jpeg': return image.jpeg({ quality: JPEG_QUALITY, mozjpeg: false });
    case 'webp': return image.webp({ quality: WEBP_QUALITY });
    // Frame delays and the loop count are kept: they are the animation, not metadata.
    case 'gif': return image.gif();
  }
}
