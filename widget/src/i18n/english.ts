// The whole English catalogue, for the code that shows more than the launcher (the panel and the
// chat's conversations part import this module; the launcher has only en-launcher.ts), and the
// way the feature chunks add theirs.
import type { Catalogue } from './en.ts';
import { en } from './en.ts';
import { loaded } from './index.ts';

/** English texts arrive in parts: the panel's (here), then a feature chunk's (en-attach.ts, en-groups.ts). */
export function addEnglish(part: Partial<Catalogue>): void {
  loaded.value = { ...loaded.peek(), en: { ...loaded.peek()['en'], ...part } };
}

addEnglish(en);
