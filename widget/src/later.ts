// What loads after the launcher, as one chunk: the conversations part of the chat and the panel.
// Both are wanted at the same moment (when the browser is idle, or on the first open), so one
// request brings them, and gzip compresses them with one dictionary (0.5 KB less than two chunks).
export { FullChat } from './state/full.ts';
export { renderPanel } from './ui/Panel.tsx';
