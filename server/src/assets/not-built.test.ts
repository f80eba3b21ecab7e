// A server started before the widget is built says so at start, and names the command that fixes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import { startServer } from '../server.ts';
import { TEST_HOST_ALLOWLIST } from '../testing/harness.ts';

it('warns at start when the widget is not built, naming pnpm build, and the script URL answers 503', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-not-built-'));
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const server = await startServer({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    log: pino({ level: 'warn' }, sink),
    widgetDistDir: join(dataDir, 'no-dist'),
    hostAllowlist: TEST_HOST_ALLOWLIST,
    prepare: async (store) => {
      await store.insertWidget(
        { devId: 'unbuilt', name: 'U', secretKey: 'k'.repeat(40), apiLogin: '', apiPassword: '', usersInfoUrl: 'http://127.0.0.1:1/u', allowedOrigins: [], adminIds: [] },
        1,
      );
    },
  });
  try {
    const warning = lines.find((l) => /not built/.test(l.msg));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/pnpm build/);
    const res = await fetch(`${server.url}/imbachat/v1/unbuilt/widget`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error.code).toBe('widget_not_built');
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
