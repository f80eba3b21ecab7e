// What an uploaded file really is: its type read from the bytes, checked against what its name and
// the client's Content-Type claim and against what the widget allows. The name and label only ever refuse.
import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import { describeAllowed, isKnownLabel, mimeForExt, uploadType, type UploadType } from './types.ts';
import { sanitiseFileName } from './names.ts';

export type Sniffed = { ok: true; mime: string; kind: 'image' | 'file'; ext: string };
export type SniffRefusal = { ok: false; code: 'file_type_not_allowed' | 'file_type_mismatch'; message: string };

/** How much of a file without a magic number is read to decide whether it is text. */
export const TEXT_PROBE_BYTES = 64 * 1024;

// Refused by name whatever the bytes: they run when opened (by a browser, Windows, Java, Android),
// and a recipient's system picks the program by the extension.
const DANGEROUS_EXTS = new Set([
  'html', 'htm', 'xhtml', 'shtml', 'svg', 'svgz', 'xml', 'xsl', 'js', 'mjs', 'exe', 'com', 'bat', 'cmd', 'sh',
  'ps1', 'jar', 'msi', 'apk', 'dll', 'scr', 'vbs', 'hta', 'lnk', 'pif', 'reg',
]);
// html, xhtml, xml, svg as a subtype or a part of one (text/html, image/svg+xml, application/rss+xml),
// not inside a word (…openxmlformats…, …spreadsheetml…).
const MARKUP_MIME = /(?:^|[/+.-])(?:x?html|xml|svg)(?:$|[+.-])/;
// Labels that are a claim even though the catalogue does not know them: what runs.
const RUNNABLE_LABELS = new Set([
  'text/javascript', 'application/javascript', 'application/x-javascript', 'application/ecmascript',
  'application/x-msdownload', 'application/x-msdos-program', 'application/x-sh', 'application/java-archive',
  'application/vnd.android.package-archive',
]);
// file-type reports both brands of HEIF stills; one catalogue type covers them.
const DETECTED_ALIASES: Record<string, string> = { 'image/heif': 'image/heic' };
// MS-CFB is the container of every 97–2003 Office file (and of .msi); only the name says which.
const CFB_BY_EXT: Record<string, string> = { doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint' };

const MARKUP_START = /^<(?:!doctype|html|head|body|script|svg|\?xml|iframe|!--)/i;
const MARKUP_ANYWHERE = /<(?:script|svg|html|iframe)/i;
// Tab, LF, FF and CR are the only controls real text files carry.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F]/;

const MARKUP_REFUSAL = refuse('file_type_not_allowed', 'HTML, SVG and XML files are not accepted: a browser could run their scripts.');

export async function sniffFile(
  path: string,
  claimed: { name: string; contentType: string | null },
  allowed: readonly string[],
): Promise<Sniffed | SniffRefusal> {
  // The extension judged is the one the recipient sees: after invisible characters are removed,
  // so "x.ex\u200Be" and "x.exe." count as .exe.
  const ext = extensionOf(sanitiseFileName(claimed.name));
  if (ext !== null && DANGEROUS_EXTS.has(ext)) return refuse('file_type_not_allowed', `Files named .${ext} are not accepted.`);
  const label = parseContentType(claimed.contentType);

  const found = await detect(path, ext, label);
  if (found === 'unrecognised') return refuse('file_type_not_allowed', `This kind of file is not accepted. Allowed: ${describeAllowed(allowed)}.`);
  if (!found.ok) return found;
  const { mime, type } = found;

  const extMime = ext === null ? undefined : mimeForExt(ext);
  if (extMime !== undefined && extMime !== mime) {
    return refuse('file_type_mismatch', `The file is named .${ext} but its content is ${type.article} ${type.label}.`);
  }
  if (label !== null && labelContradicts(label, mime, type)) {
    const shown = /^[a-z0-9.+-]{1,60}\/[a-z0-9.+-]{1,60}$/.test(label) ? ` ${label}` : ' as another type';
    return refuse('file_type_mismatch', `The file is labelled${shown} but its content is ${type.article} ${type.label}.`);
  }
  if (!allowed.includes(mime)) {
    return refuse('file_type_not_allowed', `${capitalise(type.label)}s are not accepted here. Allowed: ${describeAllowed(allowed)}.`);
  }
  return { ok: true, mime, kind: type.kind, ext: type.exts[0] ?? 'bin' };
}

type Detected = { ok: true; mime: string; type: UploadType };

async function detect(path: string, ext: string | null, label: string | null): Promise<Detected | SniffRefusal | 'unrecognised'> {
  const found = await fileTypeFromFile(path).catch((err: unknown) => {
    // The disk failing is the caller's problem; file-type giving up on a malformed file is ours.
    if (typeof (err as { code?: unknown } | null)?.code === 'string') throw err;
    return 'unrecognised' as const;
  });
  if (found === 'unrecognised') return found;
  if (found === undefined) return detectText(path, ext, label);
  if (isMarkupMime(found.mime)) return MARKUP_REFUSAL;

  if (found.mime === 'application/x-cfb') {
    const legacy = ext === null ? undefined : CFB_BY_EXT[ext];
    const type = legacy === undefined ? undefined : uploadType(legacy);
    if (legacy !== undefined && type !== undefined) return { ok: true, mime: legacy, type };
    // Password-protected .docx/.xlsx/.pptx are CFB too, but so is a macro-carrying .doc renamed
    // .docx to pass a widget that allows only the new formats: the bytes cannot tell them apart.
    if (ext !== null && mimeForExt(ext) !== undefined) {
      return refuse('file_type_mismatch', `The file is named .${ext} but its content is a Word, Excel or PowerPoint 97–2003 file or a password-protected Office file.`);
    }
    return refuse('file_type_not_allowed', 'Word, Excel and PowerPoint 97–2003 files are accepted only when named .doc, .xls or .ppt.');
  }

  const mime = DETECTED_ALIASES[found.mime] ?? found.mime;
  const type = uploadType(mime);
  return type === undefined ? 'unrecognised' : { ok: true, mime, type };
}

/** No magic number: text if the first 64 KiB are UTF-8 without binary controls, unless it is markup. */
async function detectText(path: string, ext: string | null, label: string | null): Promise<Detected | SniffRefusal | 'unrecognised'> {
  const text = await readTextHead(path);
  if (text === null) return 'unrecognised';
  // A browser sniffs markup after a BOM and whitespace, and finds a script tag anywhere.
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (MARKUP_START.test(start) || MARKUP_ANYWHERE.test(text)) return MARKUP_REFUSAL;
  if (CONTROL_CHARS.test(text)) return 'unrecognised';
  // A name without a known extension lets the label decide between the two text types.
  const csv = ext === 'csv' || (label === 'text/csv' && (ext === null || mimeForExt(ext) === undefined));
  const mime = csv ? 'text/csv' : 'text/plain';
  const type = uploadType(mime);
  return type === undefined ? 'unrecognised' : { ok: true, mime, type };
}

async function readTextHead(path: string): Promise<string | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const buffer = Buffer.alloc(Math.min(size, TEXT_PROBE_BYTES));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    // `stream: true` holds back a character cut at the end of the probe instead of failing on it.
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead), { stream: size > bytesRead });
  } catch (err) {
    if (err instanceof TypeError) return null; // not UTF-8
    throw err;
  } finally {
    await file.close();
  }
}

function extensionOf(name: string): string | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  const ext = name.slice(dot + 1).toLowerCase();
  // Anything else is not an extension a system would act on, and must not reach a message.
  return /^[a-z0-9]{1,10}$/.test(ext) ? ext : null;
}

/** The client's Content-Type without parameters, or null when it claims nothing in particular. */
function parseContentType(raw: string | null): string | null {
  const mime = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  return mime === '' || mime === 'application/octet-stream' ? null : mime;
}

/** A label we know that names another type; unknown labels are no claim, like unknown extensions. */
function labelContradicts(label: string, mime: string, type: UploadType): boolean {
  if (label === mime || type.claimedAs?.includes(label)) return false;
  return isKnownLabel(label) || isMarkupMime(label) || RUNNABLE_LABELS.has(label);
}

function isMarkupMime(mime: string): boolean {
  return MARKUP_MIME.test(mime);
}

function refuse(code: SniffRefusal['code'], message: string): SniffRefusal {
  return { ok: false, code, message };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
