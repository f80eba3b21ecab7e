// Verifies the host-signed site token: HS256 only, exp required, this widget's key only.
import { errors, jwtVerify } from 'jose';
import { AppError } from '../errors.ts';
import { USER_ID_RULE, normalizeUserId } from '../realtime/protocol.ts';

/** Clock skew tolerated on `exp`, in seconds. */
export const TOKEN_LEEWAY_S = 60;

export interface VerifiedToken {
  userId: string;
  /** Unix seconds. */
  exp: number;
}

const keys = new Map<string, Uint8Array>();
function keyOf(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size > 1000) keys.clear();
    keys.set(secret, (key = new TextEncoder().encode(secret)));
  }
  return key;
}

function fail(code: 'token_malformed' | 'token_expired' | 'token_bad_signature' | 'token_bad_algorithm' | 'token_bad_claims', message: string): never {
  throw new AppError(code, 401, message);
}

/** `leewayS`: clock skew tolerated on `exp`; a socket authenticated with the token lives until exp + leeway. */
export async function verifyToken(token: string, secretKey: string, nowMs: number, leewayS = TOKEN_LEEWAY_S): Promise<VerifiedToken> {
  if (token.split('.').length !== 3) fail('token_malformed', 'The token is not a JWT (expected three dot-separated parts).');
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secretKey), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: leewayS,
      currentDate: new Date(nowMs),
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      const exp = typeof err.payload.exp === 'number' ? new Date(err.payload.exp * 1000).toISOString() : 'an earlier time';
      fail('token_expired', `The token expired at ${exp}. Ask the site for a new one.`);
    }
    if (err instanceof errors.JOSEAlgNotAllowed) fail('token_bad_algorithm', 'The token must be signed with HS256.');
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      fail('token_bad_signature', "The token's signature does not match this widget's secret key.");
    }
    if (err instanceof errors.JWTClaimValidationFailed) {
      fail('token_bad_claims', `The token's "${err.claim}" claim is missing or invalid.`);
    }
    if (err instanceof errors.JOSENotSupported) fail('token_bad_algorithm', 'The token must be signed with HS256.');
    fail('token_malformed', 'The token could not be decoded (bad base64url or JSON).');
  }
  const userId = normalizeUserId(payload.user_id ?? payload.sub);
  if (userId === null) {
    fail('token_bad_claims', `The token's "user_id" must be ${USER_ID_RULE}.`);
  }
  return { userId, exp: payload.exp as number };
}

export function bearerToken(header: string | undefined): string {
  if (!header) throw new AppError('token_missing', 401, 'Send the site token as "Authorization: Bearer <token>".');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new AppError('token_missing', 401, 'The Authorization header must be "Bearer <token>".');
  return match[1];
}

/**
 * Verified tokens, remembered until they expire so a request pays one map lookup instead of an
 * HMAC check. Keyed by the whole token and bound to the secret it was checked with, so a rotated
 * secret is never served from here; bounded, dropping the oldest entries first.
 */
export class TokenCache {
  private readonly entries = new Map<string, { secret: string; token: VerifiedToken }>();

  constructor(private readonly maxEntries = 20_000) {}

  get size(): number {
    return this.entries.size;
  }

  async verify(token: string, secretKey: string, nowMs: number, leewayS = TOKEN_LEEWAY_S): Promise<VerifiedToken> {
    const hit = this.entries.get(token);
    if (hit && hit.secret === secretKey && nowMs < (hit.token.exp + leewayS) * 1000) return hit.token;
    if (hit) this.entries.delete(token);
    const verified = await verifyToken(token, secretKey, nowMs, leewayS);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { secret: secretKey, token: verified });
    return verified;
  }
}
