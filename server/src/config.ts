// The server's settings: environment variables and the declarative widgets file, validated by one schema.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { redisUrlProblem } from './bus/redis-url.ts';
import { type HostAllowlist, hostUrlProblem, parseHostAllowlist } from './host/address.ts';
import { type Cidr, parseCidrList } from './limits/client-ip.ts';
import { rateLimitsInput } from './limits/policy.ts';
import { uploadSettingsInput } from './files/policy.ts';
import { type S3Settings, s3SettingsFromEnv } from './files/storage/s3-settings.ts';
import { DEV_ID_PATTERN, MAX_SOCKETS_PER_USER } from './realtime/protocol.ts';
import { postgresUrlProblem } from './store/postgres/url.ts';
import { userIdInput } from './users/schema.ts';

const MIN_SECRET_BYTES = 32;

/**
 * The largest `max_group_members` a widget may set. Every Dialog carries every member (profile and
 * state, ~250 bytes each), and each change sends it to each member: 2,000 members make a ~500 KB
 * frame, times 2,000 sockets per change. Beyond that a group wants paged members, not a bigger cap.
 */
export const MAX_GROUP_MEMBERS_CEILING = 2_000;

export const secretKeySchema = z
  .string()
  .refine((s) => Buffer.byteLength(s, 'utf8') >= MIN_SECRET_BYTES, {
    message: `secret_key must be at least ${MIN_SECRET_BYTES} bytes long`,
  });

export const devIdSchema = z.string().regex(DEV_ID_PATTERN, 'dev_id must be 1–64 characters of letters, digits, "_" or "-"');

export const widgetConfigSchema = z.strictObject({
  dev_id: devIdSchema,
  name: z.string().min(1).max(200),
  secret_key: secretKeySchema,
  /** The host API's bearer key (docs/api.md, Host API); left out: the host API is off. Stored as a SHA-256 hash. */
  host_api_key: z
    .string()
    .refine((s) => Buffer.byteLength(s, 'utf8') >= MIN_SECRET_BYTES && Buffer.byteLength(s, 'utf8') <= 512 && /^[\x21-\x7e]+$/.test(s), {
      message: `host_api_key must be ${MIN_SECRET_BYTES}–512 printable ASCII characters without spaces`,
    })
    .optional(),
  api_login: z.string().max(200).default(''),
  api_password: z.string().max(200).default(''),
  users_info_url: z.url({ protocol: /^https?$/, error: 'users_info_url must be an http(s) URL' }),
  allowed_origins: z.array(z.string().min(1)).default([]),
  admin_ids: z.array(userIdInput).default([]),
  /** Buckets that replace the server's defaults for this widget, one by one (docs/api.md, Rate limits). */
  rate_limits: rateLimitsInput.optional(),
  /** Most members a group of this widget may have (default MAX_GROUP_MEMBERS). */
  max_group_members: z
    .number({ error: 'max_group_members must be a number' })
    .int('max_group_members must be a whole number')
    .min(2, 'max_group_members must be at least 2 (a group is its creator and someone else)')
    .max(MAX_GROUP_MEMBERS_CEILING, `max_group_members must be at most ${MAX_GROUP_MEMBERS_CEILING}`)
    .optional(),
  /** The largest file and the types its users may upload (default 10 MB; images, PDF, text, office documents, zip). */
  uploads: uploadSettingsInput.optional(),
});
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

export const configFileSchema = z.strictObject({
  widgets: z.array(widgetConfigSchema).default([]),
});

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  IMBACHAT_DATA_DIR: z.string().default('./data'),
  /**
   * postgres:// or postgresql:// selects the PostgreSQL store (several nodes); unset or empty: the
   * SQLite file in IMBACHAT_DATA_DIR. Problems are reported without the URL (it may hold a password).
   */
  DATABASE_URL: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const problem = postgresUrlProblem(s);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return s;
    }),
  /**
   * redis:// or rediss:// selects Redis for the event bus, presence, typing and rate limits (several
   * nodes); unset or empty: all in this process. Problems are reported without the URL.
   */
  REDIS_URL: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const problem = redisUrlProblem(s);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return s;
    }),
  /** Put before every Redis key and channel, so deployments can share one Redis (default imbachat:). */
  IMBACHAT_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'IMBACHAT_REDIS_PREFIX must be 1–64 letters, digits or "_.:-"')
    .optional(),
  IMBACHAT_CONFIG: z.string().optional(),
  IMBACHAT_USERS_INFO_TTL_MS: z.coerce.number().int().positive().default(10 * 60_000),
  IMBACHAT_USERS_INFO_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  IMBACHAT_TOKEN_LEEWAY_S: z.coerce.number().int().min(0).max(300).default(60),
  IMBACHAT_EVENT_RETENTION_MS: z.coerce.number().int().positive().default(24 * 60 * 60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The bearer token /metrics asks for; unset or empty: /metrics is off. */
  IMBACHAT_METRICS_TOKEN: z
    .string()
    .optional()
    .transform((s) => s || undefined)
    .refine((s) => s === undefined || s.length >= 16, 'IMBACHAT_METRICS_TOKEN must be at least 16 characters long'),
  IMBACHAT_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(MAX_SOCKETS_PER_USER),
  /**
   * Reverse proxies (comma-separated CIDRs) whose X-Forwarded-For is believed for the per-address
   * rate limits; empty: the socket's peer is the client, and the header is ignored.
   */
  IMBACHAT_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((s, ctx) => {
      try {
        return parseCidrList(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Non-public ranges host calls may reach (comma-separated CIDRs); empty: public addresses only. */
  IMBACHAT_HOST_ALLOWLIST: z
    .string()
    .default('')
    .transform((s, ctx) => {
      try {
        return parseHostAllowlist(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
});

export interface ServerConfig {
  /** IMBACHAT_METRICS_TOKEN: /metrics is off without it. */
  metricsToken: string | undefined;
  maxSocketsPerUser: number;
  /** IMBACHAT_TRUSTED_PROXIES, parsed: peers whose X-Forwarded-For names the client. */
  trustedProxies: Cidr[];
  port: number;
  host: string;
  dataDir: string;
  /** DATABASE_URL: the PostgreSQL store; undefined: SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** REDIS_URL: bus, presence, typing and rate limits in Redis; undefined: in this process. */
  redisUrl: string | undefined;
  redisPrefix: string | undefined;
  logLevel: string;
  usersInfoTtlMs: number;
  usersInfoTimeoutMs: number;
  eventRetentionMs: number;
  tokenLeewayS: number;
  /** IMBACHAT_HOST_ALLOWLIST, parsed. */
  hostAllowlist: HostAllowlist;
  /** IMBACHAT_S3_*: attachments in an S3 bucket; undefined: on local disk under dataDir. */
  s3: S3Settings | undefined;
  widgets: WidgetConfig[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Turns zod issues into one line a person can act on: "widgets.0.secret_key: must be …". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
  const parsedEnv = envSchema.safeParse(env);
  if (!parsedEnv.success) throw new ConfigError(`Invalid environment: ${describeIssues(parsedEnv.error)}`);
  const e = parsedEnv.data;
  let s3: S3Settings | undefined;
  try {
    s3 = s3SettingsFromEnv(env);
  } catch (err) {
    throw new ConfigError(`Invalid environment: ${(err as Error).message}`);
  }
  // Relative paths are relative to where the command was typed (pnpm runs scripts inside the package).
  const base = env.INIT_CWD ?? process.cwd();
  let widgets: WidgetConfig[] = [];
  if (e.IMBACHAT_CONFIG) {
    const path = resolve(base, e.IMBACHAT_CONFIG);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ConfigError(`Cannot read IMBACHAT_CONFIG (${path}): ${(err as Error).message}`);
    }
    const file = configFileSchema.safeParse(raw);
    if (!file.success) throw new ConfigError(`Invalid config file ${path}: ${describeIssues(file.error)}`);
    widgets = file.data.widgets;
    // Here, not in the schema: whether an address may be called depends on the environment's allowlist.
    for (const [i, w] of widgets.entries()) {
      const problem = hostUrlProblem(w.users_info_url, e.IMBACHAT_HOST_ALLOWLIST);
      if (problem) throw new ConfigError(`Invalid config file ${path}: widgets.${i}.users_info_url: ${problem}`);
    }
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(base, e.IMBACHAT_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.IMBACHAT_REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    usersInfoTtlMs: e.IMBACHAT_USERS_INFO_TTL_MS,
    usersInfoTimeoutMs: e.IMBACHAT_USERS_INFO_TIMEOUT_MS,
    eventRetentionMs: e.IMBACHAT_EVENT_RETENTION_MS,
    tokenLeewayS: e.IMBACHAT_TOKEN_LEEWAY_S,
    metricsToken: e.IMBACHAT_METRICS_TOKEN,
    maxSocketsPerUser: e.IMBACHAT_MAX_SOCKETS_PER_USER,
    hostAllowlist: e.IMBACHAT_HOST_ALLOWLIST,
    trustedProxies: e.IMBACHAT_TRUSTED_PROXIES,
    s3,
    widgets,
  };
}
