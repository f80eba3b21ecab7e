// Addressing a committed event: the topics of the members who receive it.
import type { EventRow } from '../store/types.ts';
import { type BusMessage, type EventBus, userTopic } from './types.ts';

/** Publishes a logged event's frame to every member it is for (or only to `onlyUserId`). */
export function publishEvent(bus: EventBus, widgetId: number, event: EventRow, memberIds: readonly string[], message: BusMessage): Promise<void> {
  const to = event.onlyUserId !== null ? [event.onlyUserId] : memberIds;
  message.committedAt ??= event.createdAt;
  return bus.publish(
    to.map((u) => userTopic(widgetId, u)),
    message,
  );
}

/** Publishes an ephemeral frame (no event id) to some users. */
export function publishTo(bus: EventBus, widgetId: number, userIds: readonly string[], frame: string): Promise<void> {
  if (userIds.length === 0) return Promise.resolve();
  return bus.publish(
    userIds.map((u) => userTopic(widgetId, u)),
    { frame },
  );
}

/** Publishes one logged event as a frame of its own to each recipient (a dialog.updated, as each sees the dialog). */
export function publishFrames(bus: EventBus, widgetId: number, eventId: number, frames: ReadonlyMap<string, string>, committedAt: number): Promise<void> {
  return Promise.all([...frames].map(([userId, frame]) => bus.publish([userTopic(widgetId, userId)], { frame, eventId, committedAt }))).then(() => {});
}
