// The test environment (createEnv: the server on a temp SQLite file, a host site with Basic auth) as a
// process of its own, for tests outside this package, which talk to it over HTTP and WebSocket only.
// Usage: tsx src/testing/serve.ts '<JSON array of user ids>'. Prints one JSON line (the server's
// address, the widget's dev_id, a token per user) and stops, removing its data, when stdin ends.
import { createEnv } from './harness.ts';

const ids = JSON.parse(process.argv[2] ?? '[]') as string[];
const env = await createEnv({ users: ids.map((id) => ({ user_id: id, name: `Person ${id}` })) });
const widget = env.widgets[0]!;
const tokens: Record<string, string> = {};
for (const id of ids) tokens[id] = await widget.token(id);
process.stdout.write(`${JSON.stringify({ url: env.server.url, devId: widget.devId, tokens })}\n`);

// The parent going away in any way closes the pipe: nothing is left running.
process.stdin.resume();
process.stdin.once('end', () => {
  void env.close().then(() => process.exit(0));
});
