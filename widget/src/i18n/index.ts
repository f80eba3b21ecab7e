// The interface language: one signal for the whole widget, and t() to read a message from it.
import { signal } from '@preact/signals';
import { en, type Catalogue, type MessageKey, type PluralKey } from './en.ts';
import { ru } from './ru.ts';

const catalogues: Record<string, Catalogue> = { en, ru };

/** A BCP 47 tag as given by the page (kept for Intl formatting). */
export const lang = signal('en');

export function setLang(tag: string | undefined): void {
  lang.value = tag ?? 'en';
}

/** The language whose texts are shown for a tag: its own catalogue's, or English. */
export function textLang(tag: string): string {
  const base = tag.toLowerCase().split(/[-_]/)[0] ?? 'en';
  return catalogues[base] ? base : 'en';
}

export function catalogueFor(tag: string): Catalogue {
  return catalogues[textLang(tag)] ?? en;
}

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  let text = catalogueFor(lang.value)[key];
  if (vars) for (const [k, v] of Object.entries(vars)) text = text.replace(`{${k}}`, String(v));
  return text;
}

export function isKey(key: string): key is MessageKey {
  return key in en;
}

/** "{n} members" in the right form for n ("1 участник", "3 участника", "5 участников"). The
 *  rules are those of the text's language, so English text under another tag stays English. */
export function plural(key: PluralKey, n: number): string {
  const c = catalogueFor(lang.value);
  const form = c[`${key}_${new Intl.PluralRules(textLang(lang.value)).select(n)}`] ?? c[`${key}_other`];
  return form.replace('{n}', String(n));
}
