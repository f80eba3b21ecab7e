// Dates, times and counted words through Intl, in the widget's language: no date library.
// Every English text (the launcher's chunk has only its own, i18n/en-launcher.ts).
import '../i18n/english.ts';
import { lang, t } from '../i18n/index.ts';

export { plural } from '../i18n/index.ts';

/** An Intl formatter in the widget's language, or in English where the browser lacks that one. */
function intl<T>(make: (lang: string) => T): T {
  try {
    return make(lang.value);
  } catch {
    return make('en');
  }
}

const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(options: Intl.DateTimeFormatOptions, date: string | Date): string {
  const key = lang.value + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) cache.set(key, (f = intl((l) => new Intl.DateTimeFormat(l, options))));
  return f.format(new Date(date));
}

/** Days from `d`'s calendar day to `now`'s: 0 today, 1 yesterday. */
function daysAgo(d: Date, now: Date): number {
  const start = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  return Math.round((start(now) - start(d)) / 86_400_000);
}

/** The year, for a date in another year than `now`'s. */
const year = (d: Date, now: Date, form: 'numeric' | '2-digit') => (d.getFullYear() === now.getFullYear() ? {} : { year: form });

export const formatTime = (iso: string): string => fmt({ hour: 'numeric', minute: '2-digit' }, iso);

/** Header of a day group: "Today", "Yesterday", "Monday, 3 March", "3 March 2025". */
export function formatDay(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const days = daysAgo(d, now);
  if (days === 0) return t('today');
  if (days === 1) return t('yesterday');
  return fmt(days > 1 && days < 7 ? { weekday: 'long', day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', ...year(d, now, 'numeric') }, d);
}

/** Time in the dialog list: a time today, a weekday this week, a short date before. */
export function formatShort(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const days = daysAgo(d, now);
  if (days === 0) return formatTime(iso);
  return fmt(days > 0 && days < 7 ? { weekday: 'short' } : { day: 'numeric', month: 'short', ...year(d, now, '2-digit') }, d);
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export const formatFull = (iso: string): string => fmt({ dateStyle: 'medium', timeStyle: 'short' }, iso);

/** "5 minutes ago", "yesterday", in the widget's language. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = intl((l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }));
  for (const [unit, size] of [['day', 86_400], ['hour', 3_600], ['minute', 60]] as const) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return t('justNow');
}

const SIZE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;

/** A file's size in the widget's language: "820 bytes", "1.2 MB", "15 MB" (decimal units, as the
 *  unit names say: 1 kB = 1000 bytes). */
export function formatSize(bytes: number): string {
  let v = Math.max(0, bytes);
  let i = 0;
  // 999,960 bytes is "1 MB", not "1,000 kB".
  while (v >= 999.5 && i < SIZE_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i > 0 && v < 9.95 ? 1 : 0;
  return intl((l) => new Intl.NumberFormat(l, { style: 'unit', unit: SIZE_UNITS[i], unitDisplay: i === 0 ? 'long' : 'short', maximumFractionDigits: digits })).format(v);
}
