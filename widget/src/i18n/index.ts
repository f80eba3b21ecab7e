// The interface language: one signal for the whole widget, and t() to read a message from it.
import { signal } from '@preact/signals-core';
import type { Catalogue, MessageKey, PluralKey } from './en.ts';
import { enLauncher } from './en-launcher.ts';

/** The other catalogues load when a page asks for their language, so an English page never
 *  downloads them (each is about 1.5 KB gzipped). Add a language here and in its own file. */
const more: Record<string, () => Promise<Catalogue>> = {
  ru: () => import('./ru.ts').then((m) => m.ru),
};

/** Every language the widget has texts for. */
export const LANGUAGES: readonly string[] = ['en', ...Object.keys(more)];

/** The texts in, by language. English starts with the launcher's; the rest of it comes in parts
 *  (english.ts adds them, with the code that shows them). */
export const loaded = signal<Record<string, Partial<Catalogue>>>({ en: enLauncher });

/** A BCP 47 tag as given by the page (kept for Intl formatting). */
export const lang = signal('en');

/** Switches the language; resolves once its texts are in (English stays if they cannot load). */
export function setLang(tag: string | undefined): Promise<void> {
  lang.value = tag ?? 'en';
  const base = textLang(lang.value);
  const load = more[base];
  if (!load || loaded.peek()[base]) return Promise.resolve();
  return load().then(
    (c) => void (loaded.value = { ...loaded.peek(), [base]: c }),
    () => {},
  );
}

/** The language whose texts are shown for a tag: its own catalogue's, or English. */
export function textLang(tag: string): string {
  const base = tag.toLowerCase().split(/[-_]/)[0] ?? 'en';
  return LANGUAGES.includes(base) ? base : 'en';
}

/** The texts for a tag; English until its catalogue has loaded. */
export function catalogueFor(tag: string): Partial<Catalogue> {
  return loaded.value[textLang(tag)] ?? english();
}

const english = (): Partial<Catalogue> => loaded.value['en'] ?? enLauncher;

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  return fill(catalogueFor(lang.value)[key] ?? english()[key] ?? key, vars);
}

/** Whether a text is in yet (the launcher's are from the start; the rest come with the panel's code). */
export const hasText = (key: MessageKey): boolean => (catalogueFor(lang.value)[key] ?? english()[key]) !== undefined;

/** One pass over the {placeholders}: a name that reads "{title}" or "$&" stays as it is. */
const fill = (text: string, vars: Record<string, string | number> = {}): string =>
  text.replace(/\{(\w+)\}/g, (all, k: string) => String(vars[k] ?? all));

/** "{n} members" in the right form for n ("1 участник", "3 участника", "5 участников"). The
 *  rules are those of the text's language, so English text under another tag stays English. */
export function plural(key: PluralKey, n: number, vars?: Record<string, string>): string {
  const c = catalogueFor(lang.value);
  const form = c[`${key}_${new Intl.PluralRules(textLang(lang.value)).select(n)}`] ?? c[`${key}_other`] ?? english()[`${key}_other`] ?? key;
  return fill(form, { ...vars, n });
}
