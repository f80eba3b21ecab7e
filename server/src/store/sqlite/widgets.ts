// Widgets (tenants): the only rows not scoped by a widget id, looked up by dev_id; and deleting
// one with every row scoped by it.
import type { NewWidget, WidgetDeletion, WidgetPatch, WidgetRow, WidgetStore } from '../types.ts';
import { WIDGET_COLUMNS } from '../rows.ts';
import type { Db } from './db.ts';

interface Raw {
  id: number;
  dev_id: string;
  name: string;
  secret_key: string;
  api_login: string;
  api_password: string;
  users_info_url: string;
  allowed_origins: string;
  admin_ids: string;
  rate_limits: string | null;
  max_group_members: number | null;
  host_api_key_hash: string | null;
  upload_settings: string | null;
  created_at: number;
  updated_at: number;
}

const row = (r: Raw): WidgetRow => ({
  id: r.id,
  devId: r.dev_id,
  name: r.name,
  secretKey: r.secret_key,
  apiLogin: r.api_login,
  apiPassword: r.api_password,
  usersInfoUrl: r.users_info_url,
  allowedOrigins: JSON.parse(r.allowed_origins) as string[],
  adminIds: JSON.parse(r.admin_ids) as string[],
  rateLimits: r.rate_limits === null ? null : (JSON.parse(r.rate_limits) as WidgetRow['rateLimits']),
  maxGroupMembers: r.max_group_members ?? null,
  hostApiKeyHash: r.host_api_key_hash ?? null,
  uploadSettings: r.upload_settings === null ? null : (JSON.parse(r.upload_settings) as WidgetRow['uploadSettings']),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const COLUMNS = WIDGET_COLUMNS;
const encode = (k: keyof WidgetPatch, v: unknown) =>
  k === 'allowedOrigins' || k === 'adminIds' || ((k === 'rateLimits' || k === 'uploadSettings') && v !== null) ? JSON.stringify(v) : v;

export function widgetStore(db: Db): WidgetStore {
  return {
    async getWidgetByDevId(devId) {
      const r = db.q<Raw>('SELECT * FROM widgets WHERE dev_id = :devId').get({ devId });
      return r ? row(r) : null;
    },
    async listWidgets() {
      return db.q<Raw>('SELECT * FROM widgets ORDER BY id').all().map(row);
    },
    async insertWidget(w: NewWidget, now) {
      const r = db
        .q<Raw>(
          `INSERT INTO widgets (dev_id, name, secret_key, api_login, api_password, users_info_url, allowed_origins, admin_ids, rate_limits, max_group_members, host_api_key_hash, upload_settings, created_at, updated_at)
           VALUES (:devId, :name, :secretKey, :apiLogin, :apiPassword, :usersInfoUrl, :allowedOrigins, :adminIds, :rateLimits, :maxGroupMembers, :hostApiKeyHash, :uploadSettings, :now, :now) RETURNING *`,
        )
        .get({
          ...w,
          allowedOrigins: JSON.stringify(w.allowedOrigins),
          adminIds: JSON.stringify(w.adminIds),
          rateLimits: w.rateLimits ? JSON.stringify(w.rateLimits) : null,
          maxGroupMembers: w.maxGroupMembers ?? null,
          hostApiKeyHash: w.hostApiKeyHash ?? null,
          uploadSettings: w.uploadSettings ? JSON.stringify(w.uploadSettings) : null,
          now,
        })!;
      return row(r);
    },
    async updateWidget(devId, patch: WidgetPatch, now) {
      const keys = (Object.keys(patch) as Array<keyof WidgetPatch>).filter((k) => patch[k] !== undefined && k in COLUMNS);
      const params: Record<string, unknown> = { devId, now };
      for (const k of keys) params[k] = encode(k, patch[k]);
      const sets = [...keys.map((k) => `${COLUMNS[k]} = :${k}`), 'updated_at = :now'].join(', ');
      const r = db.q<Raw>(`UPDATE widgets SET ${sets} WHERE dev_id = :devId RETURNING *`).get(params);
      return r ? row(r) : null;
    },
    async deleteWidget(widgetId) {
      // With foreign keys on, each deleted dialog makes SQLite look for messages still pointing at
      // it, and no index on messages starts with dialog_id: one scan of every tenant's messages per
      // dialog (18 s for 2,000 dialogs beside 200,000 other messages). The transaction deletes the
      // referencing rows itself, so the checks are off for it. The pragma is a no-op inside a
      // transaction, hence around it; both are synchronous, so no other statement runs between.
      db.raw.pragma('foreign_keys = OFF');
      try {
        return db.write((): WidgetDeletion | null => {
          const r = db.q<Raw>('SELECT * FROM widgets WHERE id = :widgetId').get({ widgetId });
          if (!r) return null;
          const remove = (table: string) => db.q(`DELETE FROM ${table} WHERE widget_id = :widgetId`).run({ widgetId }).changes;
          // Referencing rows first (messages and members point at dialogs, dialogs at the widget).
          // Every table with a widget_id column is here; the SQLite deletion test checks the file.
          const messages = remove('messages');
          const members = remove('dialog_members');
          const dialogs = remove('dialogs');
          const events = remove('events');
          const readMoves = remove('read_moves');
          remove('event_logs');
          const userStates = remove('user_states');
          remove('host_requests');
          const uploads = remove('uploads');
          db.q('DELETE FROM widgets WHERE id = :widgetId').run({ widgetId });
          return { widget: row(r), dialogs, members, messages, events, readMoves, userStates, uploads };
        });
      } finally {
        db.raw.pragma('foreign_keys = ON');
      }
    },
  };
}
