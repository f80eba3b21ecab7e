// Splits message text into plain text and http(s) links (and bare "www." hosts, linked as
// https). The UI turns links into <a> nodes and everything else into text nodes: nothing in a
// message is ever parsed as HTML.

export type Part = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// A bare host starts at a word boundary that is not inside a longer name (so "xwww.a.b" and the
// "www." of "http://www." are not bare).
const URL_LIKE = /\bhttps?:\/\/[^\s<>"'`]+|(?<![\w.\/@-])www\.[^\s<>"'`]+/gi;
const TRAILING = /[.,!?;:…»"'\]}>]+$/;

export function linkify(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_LIKE)) {
    const start = match.index ?? 0;
    let candidate = match[0].replace(TRAILING, '');
    // "(see https://x.y/a)" → the closing bracket belongs to the sentence, unless the URL opened one.
    while (candidate.endsWith(')') && count(candidate, '(') < count(candidate, ')')) candidate = candidate.slice(0, -1);
    const bare = !/^https?:/i.test(candidate);
    const href = safeHref(bare ? `https://${candidate}` : candidate);
    // A bare host needs a dot after "www." and a name after it: "www." alone is a word.
    if (bare && !/^www\.[^.\s]+\.[^.\s]/i.test(candidate)) continue;
    if (!href) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** The URL normalised, when it is http(s) with a host; null for anything else. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}
