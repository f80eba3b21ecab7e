import { afterEach, expect, it, vi } from 'vitest';
import { validateLoadOptions } from './api.ts';
import { parseScriptUrl } from './locate.ts';

const token = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig';
afterEach(() => vi.restoreAllMocks());

it('accepts the seed page options: user_id as a string or a number, and a token', () => {
  expect(validateLoadOptions({ user_id: '6', token })).toEqual({
    user_id: '6',
    token,
    position: 'bottom-right',
    open: false,
    titleBadge: true,
    sound: true,
    notifications: true,
  });
  expect(validateLoadOptions({ user_id: 6, token, lang: 'ru', position: 'bottom-left', open: true })).toMatchObject({ user_id: '6', lang: 'ru', position: 'bottom-left', open: true });
});

it('refuses what cannot work, saying why in the console', () => {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(validateLoadOptions(undefined)).toBeNull();
  expect(validateLoadOptions({ token })).toBeNull();
  expect(validateLoadOptions({ user_id: '', token })).toBeNull();
  expect(validateLoadOptions({ user_id: 1.5, token })).toBeNull();
  expect(validateLoadOptions({ user_id: 1, token: 'secret-key-instead-of-token' })).toBeNull();
  expect(error.mock.calls.map((c) => String(c[0]))).toEqual([
    expect.stringContaining('needs an object'),
    expect.stringContaining('"user_id"'),
    expect.stringContaining('"user_id"'),
    expect.stringContaining('"user_id"'),
    expect.stringContaining('"token"'),
  ]);
});

it('ignores a bad optional value with a warning and keeps going', () => {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(validateLoadOptions({ user_id: 1, token, position: 'top', getToken: 'x', open: 'yes' })).toMatchObject({ position: 'bottom-right', open: false });
  expect(error).toHaveBeenCalledTimes(3);
});

it('takes titleBadge, sound and notifications as booleans, defaulting to on', () => {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(validateLoadOptions({ user_id: 1, token, titleBadge: false, sound: false, notifications: false })).toMatchObject({ titleBadge: false, sound: false, notifications: false });
  expect(validateLoadOptions({ user_id: 1, token, titleBadge: 'no' })).toMatchObject({ titleBadge: true });
  expect(error).toHaveBeenCalledWith(expect.stringContaining('"titleBadge" must be true or false'));
});

it('learns the server and dev_id from the script URL, with or without a path prefix', () => {
  expect(parseScriptUrl('https://chat.example.com/imbachat/v1/shop/widget')).toEqual({ base: 'https://chat.example.com', devId: 'shop' });
  expect(parseScriptUrl('http://127.0.0.1:8080/chat/imbachat/v1/a%20b/widget?v=2')).toEqual({ base: 'http://127.0.0.1:8080/chat', devId: 'a b' });
  expect(parseScriptUrl('https://cdn.example.com/other.js')).toBeNull();
});
