// Tenants: creating, updating and listing widgets, from the CLI or the declarative config file.
import { createHash, randomBytes } from 'node:crypto';
import type { WidgetConfig } from '../config.ts';
import { rateLimitsToWire } from '../limits/policy.ts';
import { uploadSettingsToWire } from '../files/policy.ts';
import type { Store, WidgetPatch, WidgetRow } from '../store/types.ts';

/** 48 random bytes as base64url: 64 characters, well over the 32-byte minimum. */
export function generateSecretKey(): string {
  return randomBytes(48).toString('base64url');
}

/** The host API key: like the secret key, 64 random characters, but a key of its own (it signs nothing). */
export const generateHostApiKey = generateSecretKey;

/** What the widget row keeps of a host API key: its SHA-256, hex. The key is never stored. */
export function hashHostApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateDevId(): string {
  return randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').toLowerCase();
}

/** A widget as it may be shown to operators; the secrets are left out unless asked for. */
export function publicWidget(w: WidgetRow, withSecrets = false) {
  return {
    dev_id: w.devId,
    name: w.name,
    users_info_url: w.usersInfoUrl,
    api_login: w.apiLogin,
    allowed_origins: w.allowedOrigins,
    admin_ids: w.adminIds,
    ...(w.rateLimits ? { rate_limits: rateLimitsToWire(w.rateLimits) } : {}),
    ...(w.maxGroupMembers ? { max_group_members: w.maxGroupMembers } : {}),
    ...(w.uploadSettings ? { uploads: uploadSettingsToWire(w.uploadSettings) } : {}),
    host_api: w.hostApiKeyHash ? 'on' : 'off',
    created_at: new Date(w.createdAt).toISOString(),
    updated_at: new Date(w.updatedAt).toISOString(),
    ...(withSecrets ? { secret_key: w.secretKey, api_password: w.apiPassword } : {}),
  };
}

/** Creates or updates every widget listed in the config file; returns what changed, without secrets. */
export async function applyWidgetConfig(store: Store, widgets: WidgetConfig[], now: number) {
  const result: { created: string[]; updated: string[] } = { created: [], updated: [] };
  for (const w of widgets) {
    const fields = {
      name: w.name,
      secretKey: w.secret_key,
      apiLogin: w.api_login,
      apiPassword: w.api_password,
      usersInfoUrl: w.users_info_url,
      allowedOrigins: w.allowed_origins,
      adminIds: w.admin_ids,
      // Left out of the file: back to the defaults, so removing an override takes it away.
      rateLimits: w.rate_limits ?? null,
      // Likewise: back to MAX_GROUP_MEMBERS (groups already larger keep their members, and take no more).
      maxGroupMembers: w.max_group_members ?? null,
      // Likewise: no key in the file, the host API off. Only the hash is kept.
      hostApiKeyHash: w.host_api_key === undefined ? null : hashHostApiKey(w.host_api_key),
      // Likewise: back to the server's upload defaults.
      uploadSettings: w.uploads ?? null,
    };
    let existing = await store.getWidgetByDevId(w.dev_id);
    if (!existing) {
      try {
        await store.insertWidget({ devId: w.dev_id, ...fields }, now);
        result.created.push(w.dev_id);
        continue;
      } catch (err) {
        // Nodes starting together apply the same file at once: one of them created it first.
        existing = await store.getWidgetByDevId(w.dev_id);
        if (!existing) throw err;
      }
    }
    if (differs(existing, fields)) {
      await store.updateWidget(w.dev_id, fields, now);
      result.updated.push(w.dev_id);
    }
  }
  return result;
}

function differs(row: WidgetRow, patch: WidgetPatch): boolean {
  return Object.entries(patch).some(([k, v]) => JSON.stringify(row[k as keyof WidgetRow]) !== JSON.stringify(v));
}
