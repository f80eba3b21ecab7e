// Turning committed changes into bus events: stream events keep their ids, ephemeral ones have none.
import type { EventBus } from '../bus/types.ts';
import type { ServerFrame, StreamFrame } from './protocol.ts';
import type { StreamedEvent } from '../store/types.ts';

/** Serialises a stream frame once; the hub adds each recipient's event_id. */
export function streamBody(f: StreamFrame): string {
  return JSON.stringify(f);
}

export async function publishStreamed(bus: EventBus, widgetId: number, events: StreamedEvent[]): Promise<void> {
  for (const e of events) {
    await bus.publish({ widgetId, to: e.to, body: e.body, ...(e.receipt && { receipt: e.receipt }) });
  }
}

export async function publishEphemeral(bus: EventBus, widgetId: number, userIds: string[], frame: ServerFrame): Promise<void> {
  if (userIds.length === 0) return;
  await bus.publish({ widgetId, to: userIds.map((userId) => ({ userId })), body: JSON.stringify(frame) });
}
