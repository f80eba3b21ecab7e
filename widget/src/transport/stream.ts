// Which events of the stream this tab has applied, and where a reconnect resumes. One node sends
// a socket its events in order, but with several nodes one publish can overtake another (N+1
// arrives before N): an event is new unless it was applied already, not only when it is above
// the highest one; and a resume starts where the server last said the stream was settled.
import type { ServerFrame } from '@imbachat/server/protocol';

/** Events above the floor remembered; past them the oldest counts as settled (a late publish is
 *  late by milliseconds, not by a thousand events). The server keeps the same window. */
const WINDOW = 1024;

export class StreamPosition {
  /** The highest event applied (null: none yet). */
  last: number | null = null;
  #floor = 0;
  /** Everything at or below it has been received (ready, synced); with an unordered stream a
   *  reconnect resumes from here, and the replay's copies of events applied since are skipped. */
  #settled: number | null = null;
  #ordered = true;
  readonly #seen = new Set<number>();

  /** Where a reconnect resumes from (null: start afresh). */
  get resumeFrom(): number | null {
    return this.#ordered ? this.last : (this.#settled ?? this.last);
  }

  /** The stream starts (again) at `at`: everything at or below it is known. */
  reset(at: number | null): void {
    this.last = this.#settled = at;
    this.#floor = at ?? 0;
    this.#seen.clear();
  }

  /** Applies a frame to the position: false for an event applied already (skip it). */
  track(frame: ServerFrame): boolean {
    if (frame.type === 'ready') {
      this.#ordered = frame.ordered !== false;
      // resumed: the missed events follow. Otherwise the stream starts afresh at the server's head.
      if (!frame.resumed || this.last === null) this.reset(frame.last_event_id ?? null);
    } else if (frame.type === 'synced') {
      this.#settled = Math.max(this.#settled ?? 0, frame.last_event_id);
    } else if ('event_id' in frame && typeof frame.event_id === 'number') {
      return this.take(frame.event_id);
    }
    return true;
  }

  /** Records the event; false when it was applied already. */
  take(id: number): boolean {
    if (id <= this.#floor || this.#seen.has(id)) return false;
    this.#seen.add(id);
    if (this.last === null || id > this.last) this.last = id;
    if (this.#seen.size > WINDOW) {
      const oldest = Math.min(...this.#seen);
      this.#seen.delete(oldest);
      this.#floor = oldest;
    }
    return true;
  }
}
