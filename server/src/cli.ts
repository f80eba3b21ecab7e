// `pnpm imbachat widgets …`: manage widgets in the data dir's store from the command line.
// Prints JSON on stdout; questions and errors go to stderr, errors in plain words with a non-zero
// exit code (2 for a usage error, 1 otherwise).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { ConfigError, describeIssues, devIdSchema, loadConfig, widgetConfigSchema } from './config.ts';
import { type HostAllowlist, hostUrlProblem } from './host/address.ts';
import { USER_ID_RULE, normalizeUserId } from './realtime/protocol.ts';
import { openStore } from './store/open.ts';
import { widgetFilesPrefix } from './files/service.ts';
import { openFileStorage } from './files/storage/open.ts';
import type { FileStorage } from './files/storage/types.ts';
import type { Store, WidgetPatch } from './store/types.ts';
import { UsersDirectory } from './users/directory.ts';
import { generateDevId, generateHostApiKey, generateSecretKey, hashHostApiKey, publicWidget } from './widgets/service.ts';

const USAGE = `Usage:
  pnpm imbachat widgets create --name NAME --users-info-url URL --api-login LOGIN --api-password PASSWORD
                               [--origin ORIGIN]... [--admin-id ID]... [--dev-id DEV_ID]
  pnpm imbachat widgets list
  pnpm imbachat widgets show DEV_ID
  pnpm imbachat widgets check DEV_ID [--user-id ID]...
  pnpm imbachat widgets update DEV_ID [--name NAME] [--users-info-url URL] [--api-login LOGIN]
                               [--api-password PASSWORD] [--origin ORIGIN]... [--admin-id ID]...
  pnpm imbachat widgets rotate-secret DEV_ID
  pnpm imbachat widgets rotate-host-key DEV_ID
  pnpm imbachat widgets delete DEV_ID [--yes]

The store is the one in IMBACHAT_DATA_DIR (default ./data). create and rotate-secret print the
secret_key once, create and rotate-host-key the host_api_key (the host API's bearer key; only its
hash is stored): keep them on the site's backend only. check asks the widget's users-info URL about
the given users (default: its admin ids, else "1") and prints what came back; it exits 1 when the
host cannot be reached or refuses the credentials. --origin and --admin-id replace the whole
list (give each one you want to keep). A running server sees changes within a second.

The users-info URL must be http(s) and is never called at a loopback, private, link-local or
other non-public address unless IMBACHAT_HOST_ALLOWLIST (comma-separated CIDRs, e.g.
127.0.0.0/8,::1/128) allows that range; cloud metadata addresses are refused always. The host's
redirects are not followed: give the final URL.

delete removes the widget with all of its data (dialogs, members, messages, events, user state,
uploaded files)
for good and prints what it removed. It asks first; --yes deletes without asking, and is needed
when stdin is not a terminal. A running server stops serving the widget within a second: its API
answers 404 widget_not_found, and each open socket is closed with 4500 on its next frame.`;

class UsageError extends Error {}
/** A command that could not do what was asked: the message alone, and exit code 1. */
class CommandError extends Error {}
/** --help: the usage on stdout, and success. */
class HelpRequested extends Error {}

const options = {
  name: { type: 'string' },
  'users-info-url': { type: 'string' },
  'api-login': { type: 'string' },
  'api-password': { type: 'string' },
  origin: { type: 'string', multiple: true },
  'admin-id': { type: 'string', multiple: true },
  'dev-id': { type: 'string' },
  'user-id': { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

const fieldsSchema = widgetConfigSchema.pick({
  name: true,
  users_info_url: true,
  api_login: true,
  api_password: true,
  allowed_origins: true,
  admin_ids: true,
});

function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error));
  return parsed.data;
}

/** How the CLI asks the person at the terminal. */
interface Prompt {
  /** Whether there is a person to ask (stdin is a terminal). */
  interactive: boolean;
  /** Asks a yes/no question on stderr; anything but "y" or "yes" (and Ctrl-C, Ctrl-D) is no. */
  confirm(question: string): Promise<boolean>;
}

const terminal: Prompt = {
  interactive: Boolean(process.stdin.isTTY),
  confirm: (question) =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      let yes: boolean | null = null;
      rl.once('SIGINT', () => rl.close());
      rl.once('close', () => {
        if (yes === null) process.stderr.write('\n');
        resolve(yes ?? false);
      });
      rl.question(question, (text) => {
        yes = /^y(es)?$/i.test(text.trim());
        rl.close();
      });
    }),
};

/** The same check the widgets file gets: no literal forbidden address or name unless the allowlist opens it. */
function checkUsersInfoUrl(url: string | undefined, allow: HostAllowlist): void {
  const problem = url === undefined ? null : hostUrlProblem(url, allow);
  if (problem) throw new UsageError(`users_info_url: ${problem}`);
}

async function run(argv: string[], store: Store, prompt: Prompt, allow: HostAllowlist, files: FileStorage): Promise<unknown> {
  const { values: v, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [group, command, target] = positionals;
  if (v.help) throw new HelpRequested();
  if (group !== 'widgets' || !command) throw new UsageError('');
  const now = Date.now();
  const given = {
    ...(v.name !== undefined && { name: v.name }),
    ...(v['users-info-url'] !== undefined && { users_info_url: v['users-info-url'] }),
    ...(v['api-login'] !== undefined && { api_login: v['api-login'] }),
    ...(v['api-password'] !== undefined && { api_password: v['api-password'] }),
    ...(v.origin !== undefined && { allowed_origins: v.origin }),
    ...(v['admin-id'] !== undefined && { admin_ids: v['admin-id'] }),
  };
  switch (command) {
    case 'create': {
      const f = validate(fieldsSchema, given);
      checkUsersInfoUrl(f.users_info_url, allow);
      const devId = validate(devIdSchema, v['dev-id'] ?? generateDevId());
      if (await store.getWidgetByDevId(devId)) throw new UsageError(`a widget with dev_id "${devId}" already exists`);
      const hostApiKey = generateHostApiKey();
      const row = await store.insertWidget(
        {
          devId,
          name: f.name,
          secretKey: generateSecretKey(),
          hostApiKeyHash: hashHostApiKey(hostApiKey),
          apiLogin: f.api_login,
          apiPassword: f.api_password,
          usersInfoUrl: f.users_info_url,
          allowedOrigins: f.allowed_origins,
          adminIds: f.admin_ids,
        },
        now,
      );
      return { ...publicWidget(row), secret_key: row.secretKey, host_api_key: hostApiKey };
    }
    case 'list':
      return (await store.listWidgets()).map((w) => publicWidget(w));
    case 'check': {
      if (!target) throw new UsageError('check needs the DEV_ID of the widget');
      const row = await store.getWidgetByDevId(target);
      if (!row) throw new UsageError(`no widget has dev_id "${target}"`);
      const ids = v['user-id']?.length ? v['user-id'] : row.adminIds.length ? row.adminIds : ['1'];
      const bad = ids.find((id) => normalizeUserId(id) !== id);
      if (bad !== undefined) throw new UsageError(`--user-id ${JSON.stringify(bad)}: a user id must be ${USER_ID_RULE}`);
      const directory = new UsersDirectory({ ttlMs: 0, timeoutMs: 5000, log: pino({ level: 'silent' }), hostAllowlist: allow });
      const probe = await directory.probe(row, ids);
      if (!probe.ok) process.exitCode = 1;
      return {
        dev_id: row.devId,
        users_info_url: row.usersInfoUrl,
        ok: probe.ok,
        ...(probe.refused && { verdict: 'the host refused api_login/api_password: fix them with widgets update' }),
        ...(probe.problem && { problem: probe.problem }),
        found: probe.found,
        missing: probe.missing,
      };
    }
    case 'show': {
      if (!target) throw new UsageError('show needs the DEV_ID of the widget');
      const row = await store.getWidgetByDevId(target);
      if (!row) throw new UsageError(`no widget has dev_id "${target}"`);
      return { ...publicWidget(row), storage: await store.storageUsage(row.id) };
    }
    case 'update': {
      if (!target) throw new UsageError('update needs the DEV_ID of the widget');
      const f = validate(fieldsSchema.partial(), given);
      checkUsersInfoUrl(f.users_info_url, allow);
      if (Object.keys(given).length === 0) throw new UsageError('update needs at least one field to change');
      // Only what was given changes: the schema's defaults (empty login and password, no
      // origins) are for creating a widget and must never overwrite a stored value.
      const patch: WidgetPatch = {
        ...(given.name !== undefined && { name: f.name }),
        ...(given.users_info_url !== undefined && { usersInfoUrl: f.users_info_url }),
        ...(given.api_login !== undefined && { apiLogin: f.api_login }),
        ...(given.api_password !== undefined && { apiPassword: f.api_password }),
        ...(given.allowed_origins !== undefined && { allowedOrigins: f.allowed_origins }),
        ...(given.admin_ids !== undefined && { adminIds: f.admin_ids }),
      };
      const row = await store.updateWidget(target, patch, now);
      if (!row) throw new UsageError(`no widget has dev_id "${target}"`);
      return publicWidget(row);
    }
    case 'rotate-secret': {
      if (!target) throw new UsageError('rotate-secret needs the DEV_ID of the widget');
      const row = await store.updateWidget(target, { secretKey: generateSecretKey() }, now);
      if (!row) throw new UsageError(`no widget has dev_id "${target}"`);
      return { dev_id: row.devId, secret_key: row.secretKey };
    }
    case 'rotate-host-key': {
      if (!target) throw new UsageError('rotate-host-key needs the DEV_ID of the widget');
      const hostApiKey = generateHostApiKey();
      const row = await store.updateWidget(target, { hostApiKeyHash: hashHostApiKey(hostApiKey) }, now);
      if (!row) throw new UsageError(`no widget has dev_id "${target}"`);
      return { dev_id: row.devId, host_api_key: hostApiKey };
    }
    case 'delete': {
      if (!target) throw new UsageError('delete needs the DEV_ID of the widget');
      const row = await store.getWidgetByDevId(target);
      if (!row) throw new CommandError(`no widget has dev_id "${target}"; nothing deleted`);
      if (!v.yes) {
        if (!prompt.interactive) {
          throw new CommandError(`widgets delete asks before deleting, and stdin is not a terminal: add --yes to delete "${target}" without asking`);
        }
        const sure = await prompt.confirm(
          `Delete widget "${row.devId}" (${row.name}) with all of its dialogs, messages and events? This cannot be undone. [y/N] `,
        );
        if (!sure) throw new CommandError('nothing deleted');
      }
      // By id, not dev_id: a widget created under the same dev_id since the question stays.
      const deleted = await store.deleteWidget(row.id);
      if (!deleted) throw new CommandError(`widget "${target}" was deleted meanwhile; nothing more deleted`);
      // After the rows: from here no link can be served, so no file is wanted any more.
      const stored = await files.deletePrefix(widgetFilesPrefix(row.id));
      return {
        dev_id: row.devId,
        name: row.name,
        deleted: {
          dialogs: deleted.dialogs,
          members: deleted.members,
          messages: deleted.messages,
          events: deleted.events,
          user_states: deleted.userStates,
          uploads: deleted.uploads,
          stored_files: stored,
        },
      };
    }
    default:
      throw new UsageError(`unknown command "widgets ${command}"`);
  }
}

async function main() {
  const config = loadConfig(process.env);
  // The store the server uses: PostgreSQL when DATABASE_URL says so, else the SQLite file.
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const files = openFileStorage({ dataDir: config.dataDir, ...(config.s3 && { s3: config.s3 }) });
  try {
    const out = await run(process.argv.slice(2), store, terminal, config.hostAllowlist, files);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await store.close();
    await files.close();
  }
}

main().catch((err) => {
  if (err instanceof HelpRequested) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (err instanceof UsageError || err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    const message = (err as Error).message;
    process.stderr.write(message ? `imbachat: ${message}\n\n${USAGE}\n` : `${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof CommandError) {
    process.stderr.write(`imbachat: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`imbachat: ${(err as Error).message}\n`);
  process.exit(1);
});
