// The demo site's members and their generated avatars: the site's own "database".

export interface DemoUser {
  id: number;
  name: string;
  headline: string;
  city: string;
  about: string;
  /** Hue of the generated avatar; null means the member never uploaded one. */
  hue: number | null;
  /** The language the member chose for the site (and so for the chat); English when absent. */
  lang?: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 1,
    name: 'Alice Martin',
    headline: 'Product designer',
    city: 'Lyon',
    about: 'Draws interfaces by day and railway maps by night. Ask her about typefaces.',
    hue: 262,
  },
  {
    id: 2,
    name: 'Bob Stone',
    headline: 'Backend developer',
    city: 'Leeds',
    about: 'Keeps the servers quiet. Answers fast, mostly with links to documentation.',
    hue: 199,
  },
  {
    id: 3,
    name: 'Мария Иванова',
    headline: 'Переводчица',
    city: 'Санкт-Петербург',
    about: 'Translates novels between Russian, French and English; collects old dictionaries. Her chat speaks Russian.',
    hue: 340,
    lang: 'ru',
  },
  {
    id: 4,
    name: 'أحمد الفارسي',
    headline: 'مصوّر',
    city: 'مسقط',
    about: 'Photographs harbours at dawn and runs a small darkroom for the neighbourhood.',
    hue: 32,
  },
  {
    id: 5,
    name: 'Maximiliana Theodora Wilhelmina von Hohenzollern-Sigmaringen',
    headline: 'Archivist of very long names',
    city: 'Sigmaringen',
    about: 'Her name never fits on a form. She is a good test of every layout on this site.',
    hue: 150,
  },
  {
    id: 6,
    name: 'Zoë Nguyễn',
    headline: 'Tea merchant',
    city: 'Hội An',
    about: 'Has not uploaded a photo yet, so the chat shows her initials instead.',
    hue: null,
  },
  {
    id: 7,
    name: 'Александра Константиновна Преображенская-Воскресенская',
    headline: 'Реставратор часов',
    city: 'Новосибирск',
    about: 'Restores clocks older than the railway. The longest name in Cyrillic on the site; her chat speaks Russian.',
    hue: 12,
    lang: 'ru',
  },
];

export function findUser(users: readonly DemoUser[], id: string | number | undefined): DemoUser | undefined {
  if (id === undefined) return undefined;
  const n = typeof id === 'number' ? id : /^\d+$/.test(id.trim()) ? Number(id.trim()) : NaN;
  return users.find((u) => u.id === n);
}

/** One or two letters taken from the first and last words of the name, whatever the script. */
export function initials(name: string): string {
  const words = name.split(/[\s-]+/u).filter(Boolean);
  const first = words[0] ? Array.from(words[0])[0] ?? '' : '';
  // Arabic family names usually start with the article "ال"; the initial is the letter after it.
  const lastWord = words.length > 1 ? words[words.length - 1]!.replace(/^ال(?=.)/u, '') : '';
  const last = Array.from(lastWord)[0] ?? '';
  return (first + last).toLocaleUpperCase();
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A round avatar with the member's initials on a two-tone gradient, as an SVG document. */
export function avatarSvg(user: DemoUser): string {
  const hue = user.hue ?? 0;
  const sat = user.hue === null ? 0 : 62;
  const text = escapeXml(initials(user.name));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" role="img" aria-label="${escapeXml(user.name)}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
<stop offset="0" stop-color="hsl(${hue} ${sat}% 62%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360} ${sat}% 44%)"/>
</linearGradient></defs>
<rect width="128" height="128" rx="64" fill="url(#g)"/>
<circle cx="100" cy="26" r="34" fill="#fff" opacity=".12"/>
<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif" font-size="50" font-weight="600" fill="#fff">${text}</text>
</svg>`;
}
