// The catalogue of upload types the server can recognise from the bytes, and the defaults a widget
// allows. An owner's list is validated against KNOWN_UPLOAD_TYPES; sniff.ts reads the rest.

export interface UploadType {
  /** `image`: a raster format we decode, re-encode and thumbnail (images.ts); everything else is served as it came. */
  kind: 'image' | 'file';
  /** The names that claim this type, lower case; the first is the canonical one. */
  exts: readonly string[];
  /** For messages: "…its content is a PNG image", "PNG images are not accepted here" (the plural adds an s). */
  label: string;
  article: 'a' | 'an';
  /** For the list of what is allowed: images are grouped as "images (PNG, JPEG…)". */
  short: string;
  /**
   * Other Content-Types a browser sends for a file of this type. Browsers take it from the OS's
   * table for the extension, and Windows with Excel installed labels every .csv vnd.ms-excel:
   * without these a real user's CSV or ZIP would be refused as mislabelled.
   */
  claimedAs?: readonly string[];
}

export const UPLOAD_TYPES = {
  'image/png': { kind: 'image', exts: ['png'], label: 'PNG image', article: 'a', short: 'PNG', claimedAs: ['image/x-png'] },
  'image/jpeg': { kind: 'image', exts: ['jpg', 'jpeg', 'jfif'], label: 'JPEG image', article: 'a', short: 'JPEG', claimedAs: ['image/jpg', 'image/pjpeg'] },
  'image/gif': { kind: 'image', exts: ['gif'], label: 'GIF image', article: 'a', short: 'GIF' },
  'image/webp': { kind: 'image', exts: ['webp'], label: 'WebP image', article: 'a', short: 'WebP' },
  'application/pdf': { kind: 'file', exts: ['pdf'], label: 'PDF document', article: 'a', short: 'PDF', claimedAs: ['application/x-pdf'] },
  'text/plain': { kind: 'file', exts: ['txt', 'log', 'md'], label: 'plain text file', article: 'a', short: 'text', claimedAs: ['text/markdown', 'text/x-markdown', 'text/x-log'] },
  'text/csv': {
    kind: 'file', exts: ['csv'], label: 'CSV file', article: 'a', short: 'CSV',
    claimedAs: ['application/vnd.ms-excel', 'application/csv', 'text/x-csv', 'text/comma-separated-values', 'text/x-comma-separated-values'],
  },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { kind: 'file', exts: ['docx'], label: 'Word document', article: 'a', short: 'Word' },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { kind: 'file', exts: ['xlsx'], label: 'Excel spreadsheet', article: 'an', short: 'Excel' },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { kind: 'file', exts: ['pptx'], label: 'PowerPoint presentation', article: 'a', short: 'PowerPoint' },
  // The legacy formats are all one container (CFB) to file-type; sniff.ts tells them apart by the name.
  'application/msword': { kind: 'file', exts: ['doc'], label: 'Word 97–2003 document', article: 'a', short: 'Word' },
  'application/vnd.ms-excel': { kind: 'file', exts: ['xls'], label: 'Excel 97–2003 spreadsheet', article: 'an', short: 'Excel' },
  'application/vnd.ms-powerpoint': { kind: 'file', exts: ['ppt'], label: 'PowerPoint 97–2003 presentation', article: 'a', short: 'PowerPoint' },
  'application/vnd.oasis.opendocument.text': { kind: 'file', exts: ['odt'], label: 'OpenDocument text document', article: 'an', short: 'OpenDocument' },
  'application/vnd.oasis.opendocument.spreadsheet': { kind: 'file', exts: ['ods'], label: 'OpenDocument spreadsheet', article: 'an', short: 'OpenDocument' },
  'application/vnd.oasis.opendocument.presentation': { kind: 'file', exts: ['odp'], label: 'OpenDocument presentation', article: 'an', short: 'OpenDocument' },
  'application/zip': { kind: 'file', exts: ['zip'], label: 'ZIP archive', article: 'a', short: 'ZIP', claimedAs: ['application/x-zip-compressed', 'application/x-zip'] },
  // Not allowed unless an owner enables them. HEIC is `file`: the prebuilt sharp cannot decode HEVC.
  'image/heic': { kind: 'file', exts: ['heic', 'heif'], label: 'HEIC photo', article: 'an', short: 'HEIC', claimedAs: ['image/heif'] },
  'audio/mpeg': { kind: 'file', exts: ['mp3'], label: 'MP3 audio file', article: 'an', short: 'MP3', claimedAs: ['audio/mp3', 'audio/mpeg3', 'audio/x-mpeg-3'] },
  'video/mp4': { kind: 'file', exts: ['mp4'], label: 'MP4 video', article: 'an', short: 'MP4' },
  'application/x-7z-compressed': { kind: 'file', exts: ['7z'], label: '7-Zip archive', article: 'a', short: '7-Zip' },
  'application/gzip': { kind: 'file', exts: ['gz', 'tgz'], label: 'gzip archive', article: 'a', short: 'gzip', claimedAs: ['application/x-gzip', 'application/x-gzip-compressed'] },
} as const satisfies Record<string, UploadType>;

export type UploadMime = keyof typeof UPLOAD_TYPES;

/** Every type an owner may allow: the widgets config validates its list against this. */
export const KNOWN_UPLOAD_TYPES = Object.keys(UPLOAD_TYPES) as [UploadMime, ...UploadMime[]];

/**
 * What a widget allows until its owner says otherwise. The 97–2003 Office formats are in because
 * people still send them; they can carry macros, which the chat never opens but a recipient's Office may.
 */
export const DEFAULT_UPLOAD_TYPES: readonly UploadMime[] = [
  'image/png', 'image/jpeg', 'image/gif', 'image/webp',
  'application/pdf', 'text/plain', 'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
  'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/zip',
];

export function uploadType(mime: string): UploadType | undefined {
  return Object.hasOwn(UPLOAD_TYPES, mime) ? UPLOAD_TYPES[mime as UploadMime] : undefined;
}

const BY_EXT = new Map<string, UploadMime>(
  KNOWN_UPLOAD_TYPES.flatMap((mime) => UPLOAD_TYPES[mime].exts.map((ext) => [ext, mime] as const)),
);

/** The catalogue type a lower-case extension names, if any: `jfif` → image/jpeg. */
export function mimeForExt(ext: string): UploadMime | undefined {
  return BY_EXT.get(ext);
}

const LABELS = new Set<string>(KNOWN_UPLOAD_TYPES.flatMap((mime) => [mime, ...(UPLOAD_TYPES[mime] as UploadType).claimedAs ?? []]));

/** Whether a client's Content-Type names one of the catalogue types, under its own name or another. */
export function isKnownLabel(contentType: string): boolean {
  return LABELS.has(contentType);
}

/** "images (PNG, JPEG, GIF, WebP), PDF, text, Word…": short enough for one line of an error message. */
export function describeAllowed(allowed: readonly string[]): string {
  const images: string[] = [];
  const others: string[] = [];
  for (const mime of allowed) {
    const type = uploadType(mime);
    if (!type) continue;
    const list = type.kind === 'image' ? images : others;
    if (!list.includes(type.short)) list.push(type.short);
  }
  const parts = images.length > 0 ? [`images (${images.join(', ')})`, ...others] : others;
  return parts.length > 0 ? parts.join(', ') : 'no files';
}
