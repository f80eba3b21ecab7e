// The README's test command is what CI runs, to the letter, and it leaves a working pnpm alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

it('CI runs exactly the README test command, which installs pnpm only when it is missing or of another major', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([^`]+?)\n```/g)].map((m) => m[1]!.trim());
  const test = blocks.find((b) => b.endsWith('pnpm test'));
  expect(test).toBeDefined();
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8').trim().split('\n').at(-1);
  expect(ci).toBe(test);
  expect(test).toMatch(/^\(pnpm -v 2>\/dev\/null \| grep -q '\^10\\\.' \|\| npm install -g pnpm@10\) && /);
});
