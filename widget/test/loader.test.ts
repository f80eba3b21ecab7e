// @vitest-environment happy-dom
// The script tag defines window.ImbaChat at once; a second copy of the tag changes nothing; calls
// made before the app chunk arrives are queued (here the chunk cannot load, so an error is emitted).
import { expect, it, vi } from 'vitest';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig';

function addTag() {
  const tag = document.createElement('script');
  tag.type = 'text/x-not-run';
  tag.src = 'http://127.0.0.1:9/imbachat/v1/demo/widget';
  document.head.append(tag);
}

it('defines the page API at once, survives a second inclusion, and reports a chunk that cannot load', async () => {
  addTag();
  await import('../src/index.ts');
  const first = window.ImbaChat;
  const api = window.imbaApi!;
  expect(typeof first?.load).toBe('function');
  expect(api.countNewMessagesSum()).toBe(0);
  expect(api.countNewMessages(5)).toBe(0);

  vi.resetModules();
  addTag();
  await import('../src/index.ts');
  expect(window.ImbaChat).toBe(first);
  expect(window.imbaApi).toBe(api);

  const errors: { code: string }[] = [];
  api.on('error', (e) => errors.push(e));
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  first!.load({ user_id: 1, token: TOKEN });
  await vi.waitFor(() => expect(errors).toEqual([{ code: 'load_failed', message: expect.any(String) }]));
  expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('could not load the chat from http://127.0.0.1:9'));
});
