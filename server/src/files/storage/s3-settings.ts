// The IMBACHAT_S3_* variables: whether attachments go to an S3 bucket, and how to reach it. Kept
// apart from s3.ts so the configuration can check them without loading the SDK. No message here
// ever repeats a value: the endpoint may carry a user and password, the key id and secret are secrets.
import { z } from 'zod';

export interface S3Settings {
  bucket: string;
  /** Signing region; S3-compatible services take any (R2: 'auto', MinIO: 'us-east-1'). */
  region: string;
  /** An S3-compatible service's http(s) base URL; absent: AWS's endpoint for the region. */
  endpoint?: string;
  /** Bucket in the path (`host/bucket/key`) rather than the host name; most S3-compatible services want it. */
  forcePathStyle: boolean;
  /** Both or neither; neither: the SDK's default credential chain (environment, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Put before every key, so deployments can share a bucket: '' or ending in '/', e.g. 'imbachat/'. */
  prefix: string;
}

const VARS = [
  'IMBACHAT_S3_BUCKET',
  'IMBACHAT_S3_REGION',
  'IMBACHAT_S3_ENDPOINT',
  'IMBACHAT_S3_FORCE_PATH_STYLE',
  'IMBACHAT_S3_ACCESS_KEY_ID',
  'IMBACHAT_S3_SECRET_ACCESS_KEY',
  'IMBACHAT_S3_PREFIX',
] as const;

// An empty variable (`IMBACHAT_S3_PREFIX=` in an env file) means the same as an unset one.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

// AWS's rule is 3–63 lowercase characters; older buckets and other services allow more, so this
// only keeps out what could never be a bucket name (a "/" would silently become part of the key).
const bucketName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/, 'IMBACHAT_S3_BUCKET must be a bucket name: 3–255 letters, digits, ".", "_" or "-"');

// Zod runs refinements after a failed format check too, so they must not assume a URL.
const urlOf = (s: string) => (URL.canParse(s) ? new URL(s) : null);
const endpoint = z
  .url({ protocol: /^https?$/, error: 'IMBACHAT_S3_ENDPOINT must be an http(s) URL such as http://127.0.0.1:9000 (the value is not shown)' })
  .refine(
    (s) => !urlOf(s)?.username && !urlOf(s)?.password,
    'IMBACHAT_S3_ENDPOINT must not hold a user or password: set IMBACHAT_S3_ACCESS_KEY_ID and IMBACHAT_S3_SECRET_ACCESS_KEY',
  )
  .refine((s) => !urlOf(s)?.search && !urlOf(s)?.hash, 'IMBACHAT_S3_ENDPOINT must not have a query or fragment');

const flag = z.enum(['1', 'true', '0', 'false'], { error: 'IMBACHAT_S3_FORCE_PATH_STYLE must be 1, true, 0 or false' });

const prefix = z
  .string()
  .regex(/^[A-Za-z0-9_./-]{0,200}$/, 'IMBACHAT_S3_PREFIX may hold only letters, digits, "_", ".", "/" and "-", at most 200')
  .refine((s) => s.endsWith('/'), 'IMBACHAT_S3_PREFIX must end with "/" (e.g. imbachat/), so that keys stay apart from its name')
  .refine((s) => !s.startsWith('/'), 'IMBACHAT_S3_PREFIX must not start with "/"');

const schema = z.object({
  IMBACHAT_S3_BUCKET: optional(bucketName),
  IMBACHAT_S3_REGION: optional(
    z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'IMBACHAT_S3_REGION must be a region name such as us-east-1 (letters, digits and "-")'),
  ),
  IMBACHAT_S3_ENDPOINT: optional(endpoint),
  IMBACHAT_S3_FORCE_PATH_STYLE: optional(flag),
  IMBACHAT_S3_ACCESS_KEY_ID: optional(z.string({ error: 'IMBACHAT_S3_ACCESS_KEY_ID must be text' })),
  IMBACHAT_S3_SECRET_ACCESS_KEY: optional(z.string({ error: 'IMBACHAT_S3_SECRET_ACCESS_KEY must be text' })),
  IMBACHAT_S3_PREFIX: optional(prefix),
});

/**
 * The S3 settings the environment asks for; undefined when IMBACHAT_S3_BUCKET is unset or empty
 * (attachments stay on local disk). Throws an Error naming each variable that is wrong and why.
 */
export function s3SettingsFromEnv(env: Record<string, string | undefined>): S3Settings | undefined {
  const picked = Object.fromEntries(VARS.map((name) => [name, env[name]]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) throw new Error(`Invalid S3 settings: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const e = parsed.data;

  if (!e.IMBACHAT_S3_BUCKET) {
    // Settings without a bucket are a half-done switch to S3; files silently staying on this
    // machine's disk would surface only when the machine is replaced.
    const stray = VARS.filter((name) => name !== 'IMBACHAT_S3_BUCKET' && picked[name]);
    if (stray.length) {
      throw new Error(
        `Invalid S3 settings: ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but IMBACHAT_S3_BUCKET is not; set the bucket to store files in S3, or unset ${stray.length > 1 ? 'them' : 'it'} to keep them on local disk`,
      );
    }
    return undefined;
  }
  const hasId = e.IMBACHAT_S3_ACCESS_KEY_ID !== undefined;
  const hasSecret = e.IMBACHAT_S3_SECRET_ACCESS_KEY !== undefined;
  if (hasId !== hasSecret) {
    throw new Error(
      `Invalid S3 settings: IMBACHAT_S3_ACCESS_KEY_ID and IMBACHAT_S3_SECRET_ACCESS_KEY go together (${hasId ? 'IMBACHAT_S3_SECRET_ACCESS_KEY' : 'IMBACHAT_S3_ACCESS_KEY_ID'} is missing); set neither to use the default AWS credential chain`,
    );
  }
  return {
    bucket: e.IMBACHAT_S3_BUCKET,
    region: e.IMBACHAT_S3_REGION ?? 'us-east-1',
    ...(e.IMBACHAT_S3_ENDPOINT ? { endpoint: e.IMBACHAT_S3_ENDPOINT } : {}),
    forcePathStyle: e.IMBACHAT_S3_FORCE_PATH_STYLE ? ['1', 'true'].includes(e.IMBACHAT_S3_FORCE_PATH_STYLE) : !!e.IMBACHAT_S3_ENDPOINT,
    ...(hasId ? { accessKeyId: e.IMBACHAT_S3_ACCESS_KEY_ID, secretAccessKey: e.IMBACHAT_S3_SECRET_ACCESS_KEY } : {}),
    prefix: e.IMBACHAT_S3_PREFIX ?? '',
  };
}
