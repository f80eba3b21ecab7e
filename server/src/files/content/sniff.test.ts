// The type of an upload comes from its bytes; names and labels that disagree, markup a browser
// could run and files nobody allowed are refused with a message the uploader can act on.
import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sniffFile, TEXT_PROBE_BYTES } from './sniff.ts';
import { DEFAULT_UPLOAD_TYPES, KNOWN_UPLOAD_TYPES } from './types.ts';
import { cfbHeader, minimalDocx, minimalOdf, buildZip, tempDir } from './test-files.ts';

const dir = tempDir('sniff');
afterAll(() => dir.remove());

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const ODT = 'application/vnd.oasis.opendocument.text';
const MARKUP = 'HTML, SVG and XML files are not accepted: a browser could run their scripts.';

const base = sharp({ create: { width: 8, height: 8, channels: 3, background: '#3366cc' } });
const png = await base.clone().png().toBuffer();
const jpeg = await base.clone().jpeg().toBuffer();
const gif = await base.clone().gif().toBuffer();
const webp = await base.clone().webp().toBuffer();
const pdf = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');
const svgWithScript = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>';

function sniff(data: string | Buffer, name: string, contentType: string | null = null, allowed: readonly string[] = DEFAULT_UPLOAD_TYPES) {
  return sniffFile(dir.write('upload', data), { name, contentType }, allowed);
}

describe('the type comes from the bytes', () => {
  it('recognises the four raster formats as images, whatever the name says about case', async () => {
    expect(await sniff(png, 'Photo.PNG', 'image/png')).toEqual({ ok: true, mime: 'image/png', kind: 'image', ext: 'png' });
    expect(await sniff(jpeg, 'photo.jpeg', 'image/jpeg')).toEqual({ ok: true, mime: 'image/jpeg', kind: 'image', ext: 'jpg' });
    expect(await sniff(gif, 'anim.gif', 'image/gif')).toEqual({ ok: true, mime: 'image/gif', kind: 'image', ext: 'gif' });
    expect(await sniff(webp, 'pic.webp', 'image/webp')).toEqual({ ok: true, mime: 'image/webp', kind: 'image', ext: 'webp' });
  });

  it('treats jpg, jpeg and jfif as one type, and image/jpg as image/jpeg', async () => {
    expect(await sniff(jpeg, 'scan.jfif', 'image/jpg')).toMatchObject({ ok: true, mime: 'image/jpeg', ext: 'jpg' });
    expect(await sniff(jpeg, 'scan.JPG', 'image/pjpeg')).toMatchObject({ ok: true, mime: 'image/jpeg' });
  });

  it('recognises a PDF, a ZIP, a docx and an odt, named or not', async () => {
    expect(await sniff(pdf, 'report.pdf', 'application/pdf')).toEqual({ ok: true, mime: 'application/pdf', kind: 'file', ext: 'pdf' });
    expect(await sniff(buildZip([{ name: 'a.txt', data: 'hi' }]), 'files.zip', 'application/x-zip-compressed')).toEqual({ ok: true, mime: 'application/zip', kind: 'file', ext: 'zip' });
    expect(await sniff(minimalDocx(), 'letter.docx', DOCX)).toEqual({ ok: true, mime: DOCX, kind: 'file', ext: 'docx' });
    expect(await sniff(minimalDocx(), 'letter', null)).toMatchObject({ ok: true, mime: DOCX });
    expect(await sniff(minimalDocx({ deflate: true }), 'letter.docx', null)).toMatchObject({ ok: true, mime: DOCX });
    expect(await sniff(minimalOdf(ODT), 'letter.odt', null)).toEqual({ ok: true, mime: ODT, kind: 'file', ext: 'odt' });
  });

  it('tells the 97–2003 Office formats apart by their name, the bytes being one container for all', async () => {
    expect(await sniff(cfbHeader(), 'old.doc', 'application/msword')).toMatchObject({ ok: true, mime: 'application/msword', ext: 'doc' });
    expect(await sniff(cfbHeader(), 'old.XLS', null)).toMatchObject({ ok: true, mime: 'application/vnd.ms-excel', ext: 'xls' });
    expect(await sniff(cfbHeader(), 'old.ppt', null)).toMatchObject({ ok: true, mime: 'application/vnd.ms-powerpoint', ext: 'ppt' });
    expect(await sniff(cfbHeader(), 'old.dat', null)).toEqual({
      ok: false, code: 'file_type_not_allowed', message: 'Word, Excel and PowerPoint 97–2003 files are accepted only when named .doc, .xls or .ppt.',
    });
    expect(await sniff(cfbHeader(), 'locked.docx', null)).toMatchObject({ ok: false, code: 'file_type_mismatch' });
    expect(await sniff(cfbHeader(), 'setup.msi', null)).toEqual({ ok: false, code: 'file_type_not_allowed', message: 'Files named .msi are not accepted.' });
  });
});

describe('text without a magic number', () => {
  it('is plain text in any script, and CSV when named so or labelled so', async () => {
    const text = 'Привет, мир!\nمرحبا بالعالم\n\ttabbed\r\n';
    expect(await sniff(text, 'notes.txt', 'text/plain; charset=utf-8')).toEqual({ ok: true, mime: 'text/plain', kind: 'file', ext: 'txt' });
    expect(await sniff(text, 'notes', null)).toMatchObject({ ok: true, mime: 'text/plain' });
    expect(await sniff('a,b\n1,2\n', 'table.csv', 'application/vnd.ms-excel')).toEqual({ ok: true, mime: 'text/csv', kind: 'file', ext: 'csv' });
    expect(await sniff('a,b\n1,2\n', 'export', 'text/csv')).toMatchObject({ ok: true, mime: 'text/csv' });
  });

  it('stays text when the 64 KiB probe ends in the middle of a character', async () => {
    const cut = 'a'.repeat(TEXT_PROBE_BYTES - 1) + 'ж'.repeat(100); // ж is two bytes: the first ends the probe
    expect(Buffer.from(cut)[TEXT_PROBE_BYTES - 1]).toBe(0xd0);
    expect(await sniff(cut, 'big.log', null)).toMatchObject({ ok: true, mime: 'text/plain', ext: 'txt' });
  });

  it('refuses text with a NUL or other binary controls, and bytes that are not UTF-8', async () => {
    const refused = { ok: false, code: 'file_type_not_allowed', message: expect.stringMatching(/^This kind of file is not accepted\. Allowed: images \(PNG, JPEG, GIF, WebP\), PDF, /) };
    expect(await sniff('hello\u0000world', 'notes.txt')).toMatchObject(refused);
    expect(await sniff('hello\u001bworld', 'notes.txt')).toMatchObject(refused);
    expect(await sniff(Buffer.from('caf\xe9 cr\xe8me', 'latin1'), 'notes.txt')).toMatchObject(refused);
    expect(await sniff(Buffer.from([0x13, 0x37, 0xfe, 0x80, 0x00, 0x01, 0x02, 0xc3]), 'blob.bin')).toMatchObject(refused);
  });
});

describe('markup a browser could run', () => {
  it('is refused whatever it is named or labelled', async () => {
    const refused = { ok: false, code: 'file_type_not_allowed', message: MARKUP };
    expect(await sniff('<!DOCTYPE html><html><body>hi</body></html>', 'x.png', 'image/png')).toEqual(refused);
    expect(await sniff('\uFEFF  \n<HTML><p>hi', 'page.txt')).toEqual(refused);
    expect(await sniff(svgWithScript, 'logo.txt', 'text/plain')).toEqual(refused);
    expect(await sniff(svgWithScript, 'logo.png', 'image/png')).toEqual(refused);
    expect(await sniff(`<?xml version="1.0" encoding="UTF-8"?>${svgWithScript}`, 'logo', null)).toEqual(refused);
    expect(await sniff(`meeting notes\n${'.'.repeat(5000)}\n<ScRiPt src="//evil.example"></script>`, 'notes.md')).toEqual(refused);
  });

  it('is refused by name first: .svg, .html and the like never pass', async () => {
    expect(await sniff(svgWithScript, 'logo.svg', 'image/svg+xml')).toEqual({ ok: false, code: 'file_type_not_allowed', message: 'Files named .svg are not accepted.' });
    expect(await sniff('just words', 'index.HTML', 'text/plain')).toEqual({ ok: false, code: 'file_type_not_allowed', message: 'Files named .html are not accepted.' });
  });
});

describe('names and labels that contradict the bytes', () => {
  it('refuses a PNG named .pdf, and a PDF named .png', async () => {
    expect(await sniff(png, 'invoice.pdf', null)).toEqual({ ok: false, code: 'file_type_mismatch', message: 'The file is named .pdf but its content is a PNG image.' });
    expect(await sniff(pdf, 'cat.png', null)).toEqual({ ok: false, code: 'file_type_mismatch', message: 'The file is named .png but its content is a PDF document.' });
    expect(await sniff(buildZip([{ name: 'x', data: 'y' }]), 'letter.docx', DOCX)).toMatchObject({ ok: false, code: 'file_type_mismatch', message: 'The file is named .docx but its content is a ZIP archive.' });
  });

  it('refuses a real PNG labelled text/html or image/svg+xml', async () => {
    expect(await sniff(png, 'cat.png', 'text/html')).toEqual({ ok: false, code: 'file_type_mismatch', message: 'The file is labelled text/html but its content is a PNG image.' });
    expect(await sniff(png, 'cat.png', 'image/svg+xml; charset=utf-8')).toMatchObject({ ok: false, code: 'file_type_mismatch' });
    expect(await sniff(png, 'cat.png', 'application/pdf')).toMatchObject({ ok: false, code: 'file_type_mismatch' });
  });

  it('takes no claim from unknown extensions, octet-stream or an empty label', async () => {
    expect(await sniff(png, 'cat.dat', 'application/octet-stream')).toMatchObject({ ok: true, mime: 'image/png', ext: 'png' });
    expect(await sniff(png, 'cat', '')).toMatchObject({ ok: true, mime: 'image/png' });
    expect(await sniff(png, 'cat.bin', 'application/x-unheard-of')).toMatchObject({ ok: true, mime: 'image/png' });
  });

  it('refuses an executable name even when its content is harmless text, hidden tricks included', async () => {
    const exe = { ok: false, code: 'file_type_not_allowed', message: 'Files named .exe are not accepted.' };
    expect(await sniff('just words', 'setup.exe', 'text/plain')).toEqual(exe);
    expect(await sniff('just words', 'report\u202Etxt.exe')).toEqual(exe); // shows as "reportexe.txt"
    expect(await sniff('just words', 'setup.ex\u200Be')).toEqual(exe);
    expect(await sniff('just words', 'setup.exe. . ')).toEqual(exe);
    expect(await sniff('just words', 'run.ps1')).toMatchObject({ ok: false, message: 'Files named .ps1 are not accepted.' });
  });

  it('never repeats the uploaded name in a message, only a plain extension', async () => {
    const hostile = await sniff(pdf, '<img src=x onerror=alert(1)>.png', null);
    expect(hostile).toEqual({ ok: false, code: 'file_type_mismatch', message: 'The file is named .png but its content is a PDF document.' });
    const label = await sniff(pdf, 'doc.pdf', 'image/svg+xml"><script>alert(1)</script>');
    expect(label).toEqual({ ok: false, code: 'file_type_mismatch', message: 'The file is labelled as another type but its content is a PDF document.' });
  });
});

describe('what the widget allows', () => {
  it('refuses a recognised type it does not allow, and lists what it does', async () => {
    const allowed = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'];
    expect(await sniff(buildZip([{ name: 'a', data: 'b' }]), 'files.zip', 'application/zip', allowed)).toEqual({
      ok: false, code: 'file_type_not_allowed', message: 'ZIP archives are not accepted here. Allowed: images (PNG, JPEG, GIF, WebP), PDF.',
    });
    expect(await sniff('hello', 'a.txt', null, ['application/pdf'])).toEqual({
      ok: false, code: 'file_type_not_allowed', message: 'Plain text files are not accepted here. Allowed: PDF.',
    });
  });

  it('allows by default the documents people send, and nothing the catalogue does not know', () => {
    expect(DEFAULT_UPLOAD_TYPES).toEqual(expect.arrayContaining(['image/png', 'application/pdf', 'text/plain', 'text/csv', DOCX, ODT, 'application/zip']));
    expect(DEFAULT_UPLOAD_TYPES).not.toContain('video/mp4');
    expect(DEFAULT_UPLOAD_TYPES.every((mime) => KNOWN_UPLOAD_TYPES.includes(mime))).toBe(true);
  });
});
