// The whole English catalogue, for the code that shows more than the launcher (the panel and the
// chat's conversations part import this module; the launcher has only en-launcher.ts).
import { en } from './en.ts';
import { addEnglish } from './index.ts';

addEnglish(en);
