import { expect, it } from 'vitest';
import { linkify } from './linkify.ts';

it('http and https URLs become links; the words around them stay text', () => {
  expect(linkify('see https://example.com/a?b=1, and http://x.org.')).toEqual([
    { kind: 'text', text: 'see ' },
    { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    { kind: 'text', text: ', and ' },
    { kind: 'link', text: 'http://x.org', href: 'http://x.org/' },
    { kind: 'text', text: '.' },
  ]);
});

it('javascript:, data: and HTML stay plain text', () => {
  for (const text of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>']) {
    expect(linkify(text)).toEqual([{ kind: 'text', text }]);
  }
});

it('a closing bracket belongs to the sentence unless the URL opened one', () => {
  expect(linkify('(see https://en.wikipedia.org/wiki/Foo_(bar))')[1]).toMatchObject({ text: 'https://en.wikipedia.org/wiki/Foo_(bar)' });
  expect(linkify('(see https://example.com/x)')[1]).toMatchObject({ text: 'https://example.com/x' });
});

it('Cyrillic and Arabic text around a link is kept as it is', () => {
  const parts = linkify('Смотри: https://пример.рф/путь — مرحبا');
  expect(parts.map((p) => p.text).join('')).toBe('Смотри: https://пример.рф/путь — مرحبا');
  expect(parts[1]).toMatchObject({ kind: 'link' });
});

it('bare www. hosts become https links, still as built nodes; look-alikes stay text', () => {
  expect(linkify('go to www.example.org, now')).toEqual([
    { kind: 'text', text: 'go to ' },
    { kind: 'link', text: 'www.example.org', href: 'https://www.example.org/' },
    { kind: 'text', text: ', now' },
  ]);
  expect(linkify('WWW.Example.org/path?q=1')[0]).toMatchObject({ kind: 'link', href: 'https://www.example.org/path?q=1' });
  for (const text of ['www.', 'www.localhost', 'xwww.example.org', 'me@www.example.org', 'www.<script>']) {
    expect(linkify(text).some((p) => p.kind === 'link'), text).toBe(false);
  }
  // Inside an http(s) URL the www. is part of that one link.
  expect(linkify('https://www.example.org/a')).toEqual([{ kind: 'link', text: 'https://www.example.org/a', href: 'https://www.example.org/a' }]);
});
