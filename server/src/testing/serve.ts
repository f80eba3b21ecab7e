// The test environment (createEnv: the server on a temp SQLite file, a host site with Basic auth) as a
// process of its own, for tests outside this package, which talk to it over HTTP and WebSocket only.
// Usage: tsx src/testing/serve.ts '<JSON array of user ids>'. Prints one JSON line (the server's
// address, the widget's dev_id, a token per user, and the same for a second widget whose senders
// meet a rate limit after two messages) and stops, removing its data, when stdin ends.
import { setWidgetLimits } from '../limits/test-support.ts';
import { createEnv } from './harness.ts';

/** The second widget's send limit: two at once, then one every 4 s (a 429 says Retry-After: 4). */
const SLOW_SEND = { burst: 2, perSecond: 0.25 };

const ids = JSON.parse(process.argv[2] ?? '[]') as string[];
const env = await createEnv({ widgets: 2, users: ids.map((id) => ({ user_id: id, name: `Person ${id}` })) });
const [widget, slowWidget] = env.widgets as [(typeof env.widgets)[0], (typeof env.widgets)[0]];
await setWidgetLimits(env, slowWidget, { send: { user: SLOW_SEND } });
const tokens: Record<string, string> = {};
const slowTokens: Record<string, string> = {};
for (const id of ids) {
  tokens[id] = await widget.token(id);
  slowTokens[id] = await slowWidget.token(id);
}
process.stdout.write(`${JSON.stringify({ url: env.server.url, devId: widget.devId, tokens, slow: { devId: slowWidget.devId, tokens: slowTokens } })}\n`);

// The parent going away in any way closes the pipe: nothing is left running.
process.stdin.resume();
process.stdin.once('end', () => {
  void env.close().then(() => process.exit(0));
});
