// @vitest-environment happy-dom
// Message text goes into the DOM as text: HTML in a message is never parsed, only http(s) links
// become <a> nodes, and they open in a new tab without leaking the page.
import { render } from 'preact';
import { expect, it } from 'vitest';
import { MessageText } from './components/MessageText.tsx';

it('renders HTML and javascript: links in a message as text', () => {
  const root = document.createElement('div');
  const text = '<img src=x onerror=alert(1)> <script>alert(2)</script> javascript:alert(3) https://example.com/ok';
  render(<MessageText text={text} />, root);
  expect(root.querySelector('img, script')).toBeNull();
  expect(root.textContent).toBe(text);
  const links = root.querySelectorAll('a');
  expect(links).toHaveLength(1);
  expect(links[0]!.getAttribute('href')).toBe('https://example.com/ok');
  expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer nofollow');
  expect(links[0]!.getAttribute('target')).toBe('_blank');
});
