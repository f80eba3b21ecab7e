// The signing snippets in docs/api.md, run as a host backend would run them, must produce tokens
// the real token check accepts, with the user id they were given.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyToken } from './token.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');
const block = (lang: string) => {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]+?)\\n```').exec(doc);
  if (!m) throw new Error(`docs/api.md has no ${lang} block`);
  return m[1]!;
};
const secret = 'docs-snippet-secret-key-of-enough-bytes-0123456789';
const hasPhp = spawnSync('php', ['-v']).status === 0;

describe('token signing snippets in docs/api.md', () => {
  const check = async (token: string, userId: string) => {
    const verified = await verifyToken(token.trim(), secret, Date.now());
    expect(verified.userId).toBe(userId);
    expect(verified.exp * 1000).toBeGreaterThan(Date.now() + 3000 * 1000);
  };

  it('the Node.js snippet signs a token the server accepts, for numeric and string ids', async () => {
    const code = block('js').replace('export function', 'function');
    for (const [id, expected] of [['42', '42'], ['"anna-7"', 'anna-7']] as const) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', `${code}\nprocess.stdout.write(imbachatToken(${id}, ${JSON.stringify(secret)}));`]);
      await check(String(out), expected);
    }
  });

  it('the Python snippet signs a token the server accepts, for numeric and string ids', async () => {
    for (const [id, expected] of [['42', '42'], ['"anna-7"', 'anna-7']] as const) {
      const out = execFileSync('python3', ['-c', `${block('python')}\nprint(imbachat_token(${id}, ${JSON.stringify(secret)}))`]);
      await check(String(out), expected);
    }
  });

  it.skipIf(!hasPhp)('the PHP snippet signs a token the server accepts (where php is installed)', async () => {
    const out = execFileSync('php', ['-r', `${block('php')}\necho imbachat_token(42, ${JSON.stringify(secret)});`]);
    await check(String(out), '42');
  });
});
