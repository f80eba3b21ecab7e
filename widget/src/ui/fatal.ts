// What each stop of the chat is called in the person's language (banner and launcher): the text
// under `stop_` and the code (i18n/en-stops.ts).
import { hasText, t } from '../i18n/index.ts';
import type { FatalCode } from '../state/session.ts';

/** Null while the text is not in yet (English ones come with the panel's code, i18n/en-stops.ts). */
export const fatalText = (fatal: FatalCode): string | null => (hasText(`stop_${fatal}`) ? t(`stop_${fatal}`) : null);
