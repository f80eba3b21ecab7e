// An uploaded name is shown to other people: it must read as what it is, never as a path, never
// hiding its real extension, and reach the Content-Disposition header intact for every script.
import { describe, expect, it } from 'vitest';
import { contentDisposition, MAX_NAME_CODE_POINTS, sanitiseFileName } from './names.ts';

describe('a name made safe to show', () => {
  it('keeps only the last path segment, for either slash', () => {
    expect(sanitiseFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitiseFileName('C:\\Users\\ann\\Desktop\\plan.docx')).toBe('plan.docx');
    expect(sanitiseFileName('..\\..//boot.ini')).toBe('boot.ini');
  });

  it('drops bidi overrides, so a reversed .exe shows its real extension', () => {
    // Displayed with the override, this reads "evilexe.png".
    expect(sanitiseFileName('evil\u202Egnp.exe')).toBe('evilgnp.exe');
    expect(sanitiseFileName('a\u200Eb\u200Fc\u202Ad\u2066e\u2069f.txt')).toBe('abcdef.txt');
  });

  it('drops control and zero-width characters, turning tabs and line breaks into spaces', () => {
    expect(sanitiseFileName('re\u0000po\u0007rt\u007F\u0085.pdf')).toBe('report.pdf');
    expect(sanitiseFileName('in\u200Bvis\u200Cible\u2060\uFEFF.txt')).toBe('invisible.txt');
    expect(sanitiseFileName('two\nlines\r\n\tand  spaces.txt')).toBe('two lines and spaces.txt');
  });

  it('replaces what Windows refuses in a name', () => {
    expect(sanitiseFileName('a<b>c:d"e|f?g*h.txt')).toBe('a_b_c_d_e_f_g_h.txt');
  });

  it('trims spaces and dots at both ends, and names an empty result "file"', () => {
    expect(sanitiseFileName('  ...report.pdf. . ')).toBe('report.pdf');
    expect(sanitiseFileName('..')).toBe('file');
    expect(sanitiseFileName('.')).toBe('file');
    expect(sanitiseFileName('', 'png')).toBe('file.png');
    expect(sanitiseFileName('folder/', 'pdf')).toBe('file.pdf');
    expect(sanitiseFileName('\u202E\u200B', 'txt')).toBe('file.txt');
  });

  it('keeps Cyrillic, Arabic, CJK and emoji, composed to NFC', () => {
    expect(sanitiseFileName('отчёт за март.pdf')).toBe('отчёт за март.pdf');
    expect(sanitiseFileName('تقرير.docx')).toBe('تقرير.docx');
    expect(sanitiseFileName('会議メモ.txt')).toBe('会議メモ.txt');
    expect(sanitiseFileName('party 🎉 👩‍💻.png')).toBe('party 🎉 👩‍💻.png');
    expect(sanitiseFileName('cafe\u0301.txt')).toBe('caf\u00e9.txt');
  });

  it('cuts a long name in its stem, keeping the extension and every emoji whole', () => {
    const long = sanitiseFileName(`${'a'.repeat(300)}.pdf`);
    expect(long).toBe(`${'a'.repeat(MAX_NAME_CODE_POINTS - 4)}.pdf`);
    const emoji = sanitiseFileName(`${'😀'.repeat(200)}.jpeg`);
    expect(Array.from(emoji)).toHaveLength(MAX_NAME_CODE_POINTS);
    expect(emoji.endsWith('😀.jpeg')).toBe(true);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const noExt = sanitiseFileName('b'.repeat(500));
    expect(noExt).toBe('b'.repeat(MAX_NAME_CODE_POINTS));
  });

  it('drops half a character (a lone surrogate)', () => {
    expect(sanitiseFileName('bad\uD800name.txt')).toBe('badname.txt');
  });
});

describe('the Content-Disposition header', () => {
  it('carries an ASCII fallback and the exact name encoded per RFC 5987', () => {
    expect(contentDisposition('attachment', 'отчёт "Q1".pdf')).toBe(
      `attachment; filename="_____ _Q1_.pdf"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%22Q1%22.pdf`,
    );
  });

  it('encodes what RFC 5987 leaves out of attr-char, and keeps plain names readable', () => {
    expect(contentDisposition('inline', "it's (final)*.png")).toBe(`inline; filename="it's (final)*.png"; filename*=UTF-8''it%27s%20%28final%29%2A.png`);
    expect(contentDisposition('attachment', 'back\\slash 😀.txt')).toBe(`attachment; filename="back_slash _.txt"; filename*=UTF-8''back%5Cslash%20%F0%9F%98%80.txt`);
  });

  it('never lets a line break or a lone surrogate into the header', () => {
    const header = contentDisposition('attachment', 'a\r\nSet-Cookie: x=1\uD800.txt');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toContain('filename="a__Set-Cookie: x=1_.txt"');
    expect(header).toContain('%EF%BF%BD');
  });
});
