// IMBACHAT_S3_*: which settings select S3, their defaults, and each refusal's words, none of
// which may repeat a secret.
import { describe, expect, it } from 'vitest';
import { s3SettingsFromEnv } from './s3-settings.ts';

const SECRET = 'sEcReT-value-that-must-never-be-shown/0123456789';
const KEY_ID = 'AKIAEXAMPLEKEYID0000';
const bucket = { IMBACHAT_S3_BUCKET: 'imbachat-files' };

function refusal(env: Record<string, string | undefined>): string {
  try {
    s3SettingsFromEnv(env);
  } catch (err) {
    const message = (err as Error).message;
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(KEY_ID);
    return message;
  }
  throw new Error('the settings were accepted');
}

describe('s3SettingsFromEnv', () => {
  it('no bucket, or an empty one, keeps files on local disk', () => {
    expect(s3SettingsFromEnv({})).toBeUndefined();
    expect(s3SettingsFromEnv({ IMBACHAT_S3_BUCKET: '' })).toBeUndefined();
    expect(s3SettingsFromEnv({ IMBACHAT_S3_BUCKET: '', IMBACHAT_S3_PREFIX: '', PATH: '/bin' })).toBeUndefined();
  });

  it('a bucket alone: AWS in us-east-1, virtual-hosted style, default credential chain, no prefix', () => {
    expect(s3SettingsFromEnv(bucket)).toStrictEqual({ bucket: 'imbachat-files', region: 'us-east-1', forcePathStyle: false, prefix: '' });
  });

  it('an endpoint turns path style on unless told otherwise; every setting is taken as given', () => {
    const env = { ...bucket, IMBACHAT_S3_ENDPOINT: 'http://127.0.0.1:9000', IMBACHAT_S3_REGION: 'auto' };
    expect(s3SettingsFromEnv(env)).toMatchObject({ endpoint: 'http://127.0.0.1:9000', region: 'auto', forcePathStyle: true });
    for (const [value, expected] of [['0', false], ['false', false], ['1', true], ['true', true]] as const) {
      expect(s3SettingsFromEnv({ ...env, IMBACHAT_S3_FORCE_PATH_STYLE: value })?.forcePathStyle).toBe(expected);
      expect(s3SettingsFromEnv({ ...bucket, IMBACHAT_S3_FORCE_PATH_STYLE: value })?.forcePathStyle).toBe(expected);
    }
    expect(
      s3SettingsFromEnv({ ...env, IMBACHAT_S3_ACCESS_KEY_ID: KEY_ID, IMBACHAT_S3_SECRET_ACCESS_KEY: SECRET, IMBACHAT_S3_PREFIX: 'imbachat/prod/' }),
    ).toStrictEqual({
      bucket: 'imbachat-files',
      region: 'auto',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      accessKeyId: KEY_ID,
      secretAccessKey: SECRET,
      prefix: 'imbachat/prod/',
    });
  });

  it('refuses a name that cannot be a bucket', () => {
    for (const name of ['a', 'has/slash', 'has space', '-leading', 'x'.repeat(256)]) {
      expect(refusal({ IMBACHAT_S3_BUCKET: name })).toMatch(/IMBACHAT_S3_BUCKET must be a bucket name/);
    }
  });

  it('refuses an endpoint that is not a plain http(s) URL, without showing it', () => {
    expect(refusal({ ...bucket, IMBACHAT_S3_ENDPOINT: 'minio:9000' })).toMatch(/IMBACHAT_S3_ENDPOINT must be an http\(s\) URL/);
    expect(refusal({ ...bucket, IMBACHAT_S3_ENDPOINT: 'ftp://files.example' })).toMatch(/IMBACHAT_S3_ENDPOINT must be an http\(s\) URL/);
    expect(refusal({ ...bucket, IMBACHAT_S3_ENDPOINT: `https://${KEY_ID}:${encodeURIComponent(SECRET)}@s3.example` })).toMatch(
      /IMBACHAT_S3_ENDPOINT must not hold a user or password/,
    );
    expect(refusal({ ...bucket, IMBACHAT_S3_ENDPOINT: `https://s3.example/?token=${SECRET}` })).toMatch(/IMBACHAT_S3_ENDPOINT must not have a query/);
  });

  it('refuses a path-style flag other than 1, true, 0 or false', () => {
    for (const value of ['yes', 'TRUE', '2']) {
      expect(refusal({ ...bucket, IMBACHAT_S3_FORCE_PATH_STYLE: value })).toMatch(/IMBACHAT_S3_FORCE_PATH_STYLE must be 1, true, 0 or false/);
    }
  });

  it('refuses a region that is not a region name', () => {
    expect(refusal({ ...bucket, IMBACHAT_S3_REGION: 'us east/1' })).toMatch(/IMBACHAT_S3_REGION must be a region name/);
  });

  it('refuses half a credential pair, naming the missing half and never the present one', () => {
    expect(refusal({ ...bucket, IMBACHAT_S3_ACCESS_KEY_ID: KEY_ID })).toMatch(
      /IMBACHAT_S3_ACCESS_KEY_ID and IMBACHAT_S3_SECRET_ACCESS_KEY go together \(IMBACHAT_S3_SECRET_ACCESS_KEY is missing\)/,
    );
    expect(refusal({ ...bucket, IMBACHAT_S3_SECRET_ACCESS_KEY: SECRET })).toMatch(/\(IMBACHAT_S3_ACCESS_KEY_ID is missing\)/);
    expect(refusal({ ...bucket, IMBACHAT_S3_SECRET_ACCESS_KEY: SECRET, IMBACHAT_S3_ACCESS_KEY_ID: '' })).toMatch(/IMBACHAT_S3_ACCESS_KEY_ID is missing/);
  });

  it('refuses a prefix with other characters, without a trailing "/", with a leading one, or too long', () => {
    expect(refusal({ ...bucket, IMBACHAT_S3_PREFIX: 'imba chat/' })).toMatch(/IMBACHAT_S3_PREFIX may hold only letters/);
    expect(refusal({ ...bucket, IMBACHAT_S3_PREFIX: 'imbachat' })).toMatch(/IMBACHAT_S3_PREFIX must end with "\/"/);
    expect(refusal({ ...bucket, IMBACHAT_S3_PREFIX: '/imbachat/' })).toMatch(/IMBACHAT_S3_PREFIX must not start with "\/"/);
    expect(refusal({ ...bucket, IMBACHAT_S3_PREFIX: `${'p'.repeat(200)}/` })).toMatch(/IMBACHAT_S3_PREFIX may hold only .* at most 200/);
  });

  it('refuses S3 settings without a bucket rather than quietly keeping files on this disk', () => {
    expect(refusal({ IMBACHAT_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toMatch(
      /IMBACHAT_S3_ENDPOINT is set but IMBACHAT_S3_BUCKET is not; set the bucket to store files in S3, or unset it/,
    );
    expect(refusal({ IMBACHAT_S3_ACCESS_KEY_ID: KEY_ID, IMBACHAT_S3_SECRET_ACCESS_KEY: SECRET })).toMatch(
      /IMBACHAT_S3_ACCESS_KEY_ID, IMBACHAT_S3_SECRET_ACCESS_KEY are set but IMBACHAT_S3_BUCKET is not/,
    );
  });

  it('reports every wrong variable at once', () => {
    const message = refusal({ ...bucket, IMBACHAT_S3_REGION: '?', IMBACHAT_S3_FORCE_PATH_STYLE: 'maybe' });
    expect(message).toMatch(/^Invalid S3 settings: /);
    expect(message).toMatch(/IMBACHAT_S3_REGION/);
    expect(message).toMatch(/IMBACHAT_S3_FORCE_PATH_STYLE/);
  });
});
