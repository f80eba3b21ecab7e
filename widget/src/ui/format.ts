// Dates, times and counted words through Intl, in the widget's language: no date library.
// Every English text (the launcher's chunk has only its own, i18n/en-launcher.ts).
import '../i18n/english.ts';
import { lang, t } from '../i18n/index.ts';

export { plural } from '../i18n/index.ts';

const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = lang.value + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(lang.value, options);
    } catch {
      f = new Intl.DateTimeFormat('en', options);
    }
    cache.set(key, f);
  }
  return f;
}

function dayStart(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

export function formatTime(iso: string): string {
  return fmt({ hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

/** Header of a day group: "Today", "Yesterday", "Monday, 3 March", "3 March 2025". */
export function formatDay(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const days = Math.round((dayStart(now) - dayStart(d)) / 86_400_000);
  if (days === 0) return t('today');
  if (days === 1) return t('yesterday');
  if (days > 1 && days < 7) return fmt({ weekday: 'long', day: 'numeric', month: 'long' }).format(d);
  return fmt({ day: 'numeric', month: 'long', ...(d.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }) }).format(d);
}

/** Time in the dialog list: a time today, a weekday this week, a short date before. */
export function formatShort(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const days = Math.round((dayStart(now) - dayStart(d)) / 86_400_000);
  if (days === 0) return formatTime(iso);
  if (days > 0 && days < 7) return fmt({ weekday: 'short' }).format(d);
  return fmt({ day: 'numeric', month: 'short', ...(d.getFullYear() === now.getFullYear() ? {} : { year: '2-digit' }) }).format(d);
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function formatFull(iso: string): string {
  return fmt({ dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** "5 minutes ago", "yesterday", in the widget's language. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [['day', 86_400], ['hour', 3_600], ['minute', 60]];
  let rtf: Intl.RelativeTimeFormat;
  try {
    rtf = new Intl.RelativeTimeFormat(lang.value, { numeric: 'auto' });
  } catch {
    rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  }
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  return t('justNow');
}

