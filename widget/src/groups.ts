// The groups chunk: what only managing groups needs — "New chat" (start a chat or create a
// group) with its people picker, a group's info (members, roles, rename, add, leave), the "Read
// by" list, the page API's group calls and their checks — with their texts and styles.
// state/groups.ts imports it the first time one of them is wanted (the person opens "New chat",
// a group's info or "Read by", or points at what opens them; the page makes a group call), so
// people who never manage groups never download it.
// Loaded only from the later chunk, which is in by then: importing it says so to the bundler, which
// otherwise splits what the two share (Preact, the icons, the formats) into a chunk of its own, one
// request more before the panel shows (rolldown's one-pass merge of already loaded chunks).
import './later.ts';
import { addEnglish } from './i18n/english.ts';
import { enGroups } from './i18n/en-groups.ts';
import groupsCss from './ui/styles/groups.css?inline';
import { addStyles } from './ui/sheets.ts';

addEnglish(enGroups);
// Before the screens first render, so they never show unstyled.
addStyles(groupsCss);

export { GroupInfo } from './ui/components/GroupInfo.tsx';
export { NewChat } from './ui/components/NewChat.tsx';
export { Readers } from './ui/components/ReadBy.tsx';
export { pageCall } from './state/manage-groups.ts';
