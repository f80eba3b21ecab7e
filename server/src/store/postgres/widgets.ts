// Widgets (tenants) on PostgreSQL: looked up by dev_id, created with their event log row, and
// deleted with every row scoped by them; and the per-user last-seen state.
import type { NewWidget, UserStateStore, WidgetDeletion, WidgetPatch, WidgetRow, WidgetStore } from '../types.ts';
import { WIDGET_COLUMNS } from '../rows.ts';
import type { Db } from './db.ts';
import { writeLogged } from './events.ts';

interface Raw {
  id: number;
  dev_id: string;
  name: string;
  secret_key: string;
  api_login: string;
  api_password: string;
  users_info_url: string;
  allowed_origins: string[];
  admin_ids: string[];
  rate_limits: WidgetRow['rateLimits'];
  upload_settings: WidgetRow['uploadSettings'];
  max_group_members: number | null;
  host_api_key_hash: string | null;
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
  allowedOrigins: r.allowed_origins,
  adminIds: r.admin_ids,
  rateLimits: r.rate_limits ?? null,
  uploadSettings: r.upload_settings ?? null,
  maxGroupMembers: r.max_group_members ?? null,
  hostApiKeyHash: r.host_api_key_hash ?? null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const COLUMNS = WIDGET_COLUMNS;
const JSON_COLUMNS = new Set<keyof WidgetPatch>(['allowedOrigins', 'adminIds', 'rateLimits', 'uploadSettings']);
// JSON goes in as text: pg would turn a JS array into a PostgreSQL array, not JSON.
const encode = (k: keyof WidgetPatch, v: unknown) => (JSON_COLUMNS.has(k) && v !== null ? JSON.stringify(v) : v);

export function widgetStore(db: Db): WidgetStore {
  return {
    async getWidgetByDevId(devId) {
      const r = await db.get<Raw>('SELECT * FROM widgets WHERE dev_id = :devId', { devId });
      return r ? row(r) : null;
    },
    async listWidgets() {
      return (await db.all<Raw>('SELECT * FROM widgets ORDER BY id')).map(row);
    },
    async insertWidget(w: NewWidget, now) {
      // The widget and its log row in one statement: no widget exists without the row its writers lock.
      const r = (await db.get<Raw>(
        `WITH w AS (
           INSERT INTO widgets (dev_id, name, secret_key, api_login, api_password, users_info_url, allowed_origins, admin_ids, rate_limits, max_group_members, host_api_key_hash, upload_settings, created_at, updated_at)
           VALUES (:devId, :name, :secretKey, :apiLogin, :apiPassword, :usersInfoUrl, :allowedOrigins::json, :adminIds::json, :rateLimits::json, :maxGroupMembers::int, :hostApiKeyHash::text, :uploadSettings::json, :now, :now)
           RETURNING *
         ),
         log AS (INSERT INTO event_logs (widget_id) SELECT id FROM w)
         SELECT * FROM w`,
        {
          devId: w.devId,
          name: w.name,
          secretKey: w.secretKey,
          apiLogin: w.apiLogin,
          apiPassword: w.apiPassword,
          usersInfoUrl: w.usersInfoUrl,
          allowedOrigins: JSON.stringify(w.allowedOrigins),
          adminIds: JSON.stringify(w.adminIds),
          rateLimits: w.rateLimits ? JSON.stringify(w.rateLimits) : null,
          maxGroupMembers: w.maxGroupMembers ?? null,
          hostApiKeyHash: w.hostApiKeyHash ?? null,
          uploadSettings: w.uploadSettings ? JSON.stringify(w.uploadSettings) : null,
          now,
        },
      ))!;
      return row(r);
    },
    async updateWidget(devId, patch: WidgetPatch, now) {
      const keys = (Object.keys(patch) as Array<keyof WidgetPatch>).filter((k) => patch[k] !== undefined && k in COLUMNS);
      const params: Record<string, unknown> = { devId, now };
      for (const k of keys) params[k] = encode(k, patch[k]);
      const sets = [...keys.map((k) => `${COLUMNS[k]} = :${k}${JSON_COLUMNS.has(k) ? '::json' : ''}`), 'updated_at = :now'].join(', ');
      const r = await db.get<Raw>(`UPDATE widgets SET ${sets} WHERE dev_id = :devId RETURNING *`, params);
      return r ? row(r) : null;
    },
    async deleteWidget(widgetId) {
      // The widget's write turn first, like every writer (events.ts), then the widget row itself,
      // which setLastSeen waits on: nothing of the widget is written while it goes.
      return writeLogged(db, [widgetId], async (c): Promise<WidgetDeletion | null> => {
        const r = await c.get<Raw>('SELECT * FROM widgets WHERE id = :widgetId FOR UPDATE', { widgetId });
        if (!r) return null;
        // A big widget takes long to delete; cut off halfway it would only roll back and start over.
        await c.run('SET LOCAL statement_timeout = 0');
        const remove = (table: string) => c.run(`DELETE FROM ${table} WHERE widget_id = :widgetId`, { widgetId });
        // Referencing rows first (messages and members point at dialogs; dialogs, the log row and
        // user states at the widget). Every table with a widget_id column is here.
        const messages = await remove('messages');
        const members = await remove('dialog_members');
        const dialogs = await remove('dialogs');
        const events = await remove('events');
        const readMoves = await remove('read_moves');
        await remove('event_logs');
        const userStates = await remove('user_states');
        await remove('host_requests');
        const uploads = await remove('uploads');
        await c.run('DELETE FROM widgets WHERE id = :widgetId', { widgetId });
        return { widget: row(r), dialogs, members, messages, events, readMoves, userStates, uploads };
      });
    },
  };
}

export function userStateStore(db: Db): UserStateStore {
  return {
    async setLastSeen(widgetId, userId, at) {
      // Nothing for a deleted widget: a socket closed by the deletion still reports its user
      // offline. The widget row is share-locked, so a deletion under way is waited for, and then
      // there is no row to write against (rather than a foreign-key error).
      await db.run(
        `INSERT INTO user_states (widget_id, user_id, last_seen_at)
         SELECT id, :userId, :at FROM widgets WHERE id = :widgetId FOR KEY SHARE
         ON CONFLICT (widget_id, user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
        { widgetId, userId, at },
      );
    },
  };
}
