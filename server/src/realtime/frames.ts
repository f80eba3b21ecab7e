// Stream frames made from logged events: one serialisation per event, the same bytes for every
// recipient, live and on resume. (dialog.updated frames carry a hydrated dialog and are made by
// the dialog service.)
import { type ViewerFields, toWireMessage } from '../dialogs/wire.ts';
import type { FileLinks } from '../files/links.ts';
import type { EventRow, MessageRow } from '../store/types.ts';
import type { Dialog, ServerFrame } from './protocol.ts';

export function serialise(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** The frame of a message, read or delivered event; null for dialog events. */
export function eventFrame(e: EventRow, message: MessageRow | null, links: FileLinks): string | null {
  if (e.kind === 'message') return message ? serialise({ event_id: e.eventId, type: 'message.new', message: toWireMessage(message, links) }) : null;
  return receiptFrame(e);
}

/** The frame of a read or delivered event (no message in it, so no links); null for the other kinds. */
export function receiptFrame(e: EventRow): string | null {
  switch (e.kind) {
    case 'message':
      return null;
    case 'read':
      return serialise({ event_id: e.eventId, type: 'message.read', dialog_id: e.dialogId, user_id: e.userId, message_id: e.messageId ?? 0, seq: e.seq });
    case 'delivered':
      return serialise({ event_id: e.eventId, type: 'message.delivered', dialog_id: e.dialogId, user_id: e.userId, seq: e.seq });
    case 'dialog':
      return null;
  }
}

/**
 * The dialog.updated frames of one event for several viewers of one dialog. Views differ only in
 * the viewer's own fields, so the rest (every member's profile and state: most of the bytes) is
 * serialised once and each frame appends its viewer's fields. Key order differs from
 * `serialise`, which JSON does not care about.
 */
export function dialogFrames(eventId: number, dialog: Dialog, viewers: ReadonlyMap<string, ViewerFields>): Map<string, string> {
  const { unread_count: _u, last_read_seq: _r, membership: _m, muted: _x, ...common } = dialog;
  // `{"event_id":…,"type":"dialog.updated","dialog":{…}}` without its two closing braces.
  const open = JSON.stringify({ event_id: eventId, type: 'dialog.updated', dialog: common }).slice(0, -2);
  const frames = new Map<string, string>();
  for (const [userId, v] of viewers) {
    frames.set(userId, `${open},"unread_count":${v.unread_count},"last_read_seq":${v.last_read_seq},"membership":${JSON.stringify(v.membership)},"muted":${v.muted}}}`);
  }
  return frames;
}
