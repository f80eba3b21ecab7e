// The name an upload is shown and downloaded under: whatever the client sent, made safe to display
// (never used as a path), and the Content-Disposition header that carries it.

export const MAX_NAME_CODE_POINTS = 120;

// Characters that change how the rest of the name is displayed or hide in it: C0/C1 controls and
// DEL, bidi marks and overrides ("evil\u202Egnp.exe" shows as "evilexe.png"), zero-width characters,
// the BOM, and lone surrogates (half a character; encodeURIComponent throws on them).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const INVISIBLE = new RegExp(`[\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200B\\u200C\\u200E\\u200F\\u202A-\\u202E\\u2060\\u2066-\\u2069\\uFEFF]|${LONE_SURROGATE.source}`, 'g');
// A zero-width joiner is removed too, except between two pictographs: there it is part of one
// emoji (👩‍💻) and hides nothing.
const STRAY_JOINER = /(?<!\p{Extended_Pictographic}\uFE0F?)\u200D|\u200D(?!\p{Extended_Pictographic})/gu;
// What Windows refuses in a name; a recipient saving the file would hit it there.
const WINDOWS_RESERVED = /[<>:"|?*]/g;

export function sanitiseFileName(raw: string, fallbackExt?: string): string {
  const base = raw.slice(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1);
  const name = base
    // A tab or line break separated words: it becomes a space, not nothing.
    .replace(/[\t\n\v\f\r]/g, ' ')
    .replace(INVISIBLE, '')
    .replace(STRAY_JOINER, '')
    .normalize('NFC')
    .replace(WINDOWS_RESERVED, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[ .]+|[ .]+$/g, '');
  if (name === '') {
    const ext = fallbackExt?.toLowerCase().replace(/[^a-z0-9]/g, '');
    return ext ? `file.${ext}` : 'file';
  }
  return limitLength(name);
}

/** Cuts the stem, not the extension, so "…long….pdf" still opens as a PDF; counts code points. */
function limitLength(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= MAX_NAME_CODE_POINTS) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? Array.from(name.slice(dot)) : [];
  // An "extension" of 30 characters is part of the name, not a type: cut the whole thing.
  if (ext.length === 0 || ext.length > 16) return chars.slice(0, MAX_NAME_CODE_POINTS).join('').replace(/[ .]+$/, '');
  const stem = chars.slice(0, MAX_NAME_CODE_POINTS - ext.length).join('').replace(/[ .]+$/, '');
  return (stem === '' ? 'file' : stem) + ext.join('');
}

/**
 * An RFC 6266 Content-Disposition value: an ASCII `filename` for old clients and the exact name in
 * `filename*` (RFC 5987). Safe for any input: nothing outside printable ASCII reaches the header.
 */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = Array.from(name, (ch) => (ch >= ' ' && ch <= '~' && ch !== '"' && ch !== '\\' ? ch : '_')).join('');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

function encodeRfc5987(value: string): string {
  const wellFormed = value.replace(LONE_SURROGATE, '\uFFFD');
  // encodeURIComponent leaves ' ( ) * alone, but RFC 5987's attr-char does not include them.
  return encodeURIComponent(wellFormed).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}
