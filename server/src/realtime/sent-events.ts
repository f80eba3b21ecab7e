// Which events one socket has been sent, so that none goes out twice and none is skipped when
// events arrive out of order. Everything at or below the floor came from the log (the read at auth
// or after a gap). Above it, live events may arrive out of order: two nodes commit N and N+1 in
// that order, but N+1's publish can reach the bus first. So above the floor an event goes out
// unless it already went, late or not. The widget keeps the same window (transport/stream.ts).

/** Live events sent above the floor that a socket remembers, to send a late one once. Past it the
 *  oldest counts as settled: a publish is late by milliseconds, not by a thousand events. */
export const SENT_WINDOW = 1024;

export class SentEvents {
  #floor = 0;
  readonly #above = new Set<number>();

  /** Everything at or below it has gone out: where a read of the log starts. */
  get floor(): number {
    return this.#floor;
  }

  /** Whether the event has gone out already (at or below the floor, or sent above it). */
  has(eventId: number): boolean {
    return eventId <= this.#floor || this.#above.has(eventId);
  }

  /** Records a live event going out above the floor. */
  take(eventId: number): void {
    this.#above.add(eventId);
    if (this.#above.size > SENT_WINDOW) {
      let oldest = Infinity;
      for (const id of this.#above) oldest = Math.min(oldest, id);
      this.#above.delete(oldest);
      this.#floor = Math.max(this.#floor, oldest);
    }
  }

  /** The log was read up to `position`: everything at or below it has gone out. */
  settle(position: number): void {
    this.#floor = position;
    for (const id of this.#above) if (id <= position) this.#above.delete(id);
  }
}
