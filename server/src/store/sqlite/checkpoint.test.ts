// The background checkpointer: the WAL is folded back into the database off the event loop, so
// it stops growing although no commit checkpoints any more.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'imbachat-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps the WAL from growing while commits run, without checkpointing inside them', async () => {
  const file = join(dir, 'db.sqlite');
  const store = openSqliteStore(file, { checkpointEveryMs: 20 });
  try {
    const w = await store.insertWidget(
      { devId: 'cp', name: 'C', secretKey: 'k'.repeat(40), apiLogin: '', apiPassword: '', usersInfoUrl: 'http://127.0.0.1:1/u', allowedOrigins: [], adminIds: [] },
      1,
    );
    const dialogs = await Promise.all(Array.from({ length: 50 }, (_, i) => store.openDirectDialog(w.id, `a${i}`, `b${i}`, 2)));
    const round = async (r: number) => {
      for (let b = 0; b < 20; b++) {
        await store.commitSends(
          dialogs.map((d, i) => ({ widgetId: w.id, dialogId: d.dialogId, senderId: `a${i}`, text: `round ${r} batch ${b}`, clientMsgId: null, now: 3 })),
        );
      }
    };
    await round(0);
    const walSize = () => statSync(`${file}-wal`).size;
    const afterFirst = walSize();
    // Each later round starts after a checkpoint folded the previous ones back, so the WAL is reused.
    // A small commit that does not grow the file was written at the WAL's start: it was reset.
    const probeReused = async () => {
      const size = walSize();
      await store.commitSends([{ widgetId: w.id, dialogId: dialogs[0]!.dialogId, senderId: 'a0', text: 'probe', clientMsgId: null, now: 4 }]);
      return walSize() === size;
    };
    for (let r = 1; r <= 4; r++) {
      await expect.poll(probeReused, { timeout: 5000 }).toBe(true);
      await round(r);
    }
    // Five rounds written; without checkpoints the WAL would hold all five.
    expect(walSize()).toBeLessThan(afterFirst * 4);
  } finally {
    await store.close();
  }
});
