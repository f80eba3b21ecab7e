// Stream frames made from logged events: one serialisation per event, the same bytes for every
// recipient, live and on resume. (dialog.updated frames carry a hydrated dialog and are made by
// the dialog service.)
import { toWireMessage } from '../dialogs/wire.ts';
import type { EventRow, MessageRow } from '../store/types.ts';
import type { ServerFrame } from './protocol.ts';

export function serialise(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** The frame of a message, read or delivered event; null for dialog events. */
export function eventFrame(e: EventRow, message: MessageRow | null): string | null {
  switch (e.kind) {
    case 'message':
      return message ? serialise({ event_id: e.eventId, type: 'message.new', message: toWireMessage(message) }) : null;
    case 'read':
      return serialise({ event_id: e.eventId, type: 'message.read', dialog_id: e.dialogId, user_id: e.userId, message_id: e.messageId ?? 0, seq: e.seq });
    case 'delivered':
      return serialise({ event_id: e.eventId, type: 'message.delivered', dialog_id: e.dialogId, user_id: e.userId, seq: e.seq });
    case 'dialog':
      return null;
  }
}
