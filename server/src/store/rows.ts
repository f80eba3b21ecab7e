// Rows as both SQL stores read them back, turned into the Store's shapes: one mapping, so the
// SQLite and the PostgreSQL store cannot drift apart in what an event or a widget looks like.
import type { EventKind, LoggedEvent, MessageRow, WidgetPatch } from './types.ts';

/** An event row joined with its message (m_*), in the column names both schemas share. */
export interface EventRowRaw {
  event_id: number | null;
  dialog_id: number;
  kind: EventKind;
  user_id: string;
  seq: number;
  message_id: number | null;
  only_user_id: string | null;
  created_at: number;
  m_id: number | null;
  m_seq: number;
  m_sender_id: string;
  m_text: string;
  m_client_msg_id: string | null;
  m_created_at: number;
}

export function loggedEvent(r: EventRowRaw): LoggedEvent {
  const message: MessageRow | null =
    r.m_id === null
      ? null
      : { id: r.m_id, dialogId: r.dialog_id, seq: r.m_seq, senderId: r.m_sender_id, text: r.m_text, clientMsgId: r.m_client_msg_id, createdAt: r.m_created_at };
  return {
    eventId: r.event_id!,
    dialogId: r.dialog_id,
    kind: r.kind,
    userId: r.user_id,
    seq: r.seq,
    messageId: r.message_id,
    onlyUserId: r.only_user_id,
    createdAt: r.created_at,
    message,
  };
}

/** The widgets table's column of each field a widget update may change. */
export const WIDGET_COLUMNS: Record<keyof WidgetPatch, string> = {
  name: 'name',
  secretKey: 'secret_key',
  apiLogin: 'api_login',
  apiPassword: 'api_password',
  usersInfoUrl: 'users_info_url',
  allowedOrigins: 'allowed_origins',
  adminIds: 'admin_ids',
  rateLimits: 'rate_limits',
};
