// @vitest-environment happy-dom
// The public surface, pinned: what the script tag defines on window, and the names the
// TypeScript declarations promise (a new method must be added to both, and to docs/widget.md).
import { expect, it } from 'vitest';
import type { ImbaApi, ImbaChatGlobal } from '../types/imbachat.d.ts';

/** Every method of the declared ImbaApi, once: the compiler fails here if the two drift apart. */
const API: Record<keyof ImbaApi, true> = {
  openDialog: true,
  openGroup: true,
  createGroup: true,
  addToRoom: true,
  close: true,
  countNewMessagesSum: true,
  countNewMessages: true,
  on: true,
  off: true,
  updateToken: true,
};
const GLOBAL: Record<keyof ImbaChatGlobal, true> = { load: true };

it('window.imbaApi and window.ImbaChat have exactly the declared methods', async () => {
  const tag = document.createElement('script');
  tag.type = 'text/x-not-run';
  tag.src = 'http://127.0.0.1:9/imbachat/v1/demo/widget';
  document.head.append(tag);
  await import('../src/index.ts');
  expect(Object.keys(window.imbaApi!).sort()).toEqual(Object.keys(API).sort());
  for (const fn of Object.values(window.imbaApi!)) expect(typeof fn).toBe('function');
  expect(Object.keys(window.ImbaChat!).filter((k) => !k.startsWith('__')).sort()).toEqual(Object.keys(GLOBAL));
});
