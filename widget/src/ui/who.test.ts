// Who is typing, by first name: one, two, or a count, in the widget's language.
import { afterEach, expect, it } from 'vitest';
import { setLang } from '../i18n/index.ts';
import { typingText } from './who.ts';

afterEach(() => setLang('en'));

it('names one or two typists and counts more', async () => {
  expect(typingText([])).toBeNull();
  expect(typingText(['Alice Martin'])).toBe('Alice is typing…');
  expect(typingText(['Alice Martin', 'Bob Stone'])).toBe('Alice and Bob are typing…');
  expect(typingText(['Alice', 'Bob', 'Carol'])).toBe('3 people are typing…');
  await setLang('ru');
  expect(typingText(['Мария Иванова'])).toBe('Мария печатает…');
  expect(typingText(['Мария Иванова', 'أحمد الفارسي'])).toBe('Мария и أحمد печатают…');
  expect(typingText(['a', 'b', 'c'])).toBe('3 человека печатают…');
  expect(typingText(['a', 'b', 'c', 'd', 'e'])).toBe('5 человек печатают…');
  expect(typingText(Array.from({ length: 21 }, (_, i) => `p${i}`))).toBe('21 человек печатает…');
});
