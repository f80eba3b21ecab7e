// Which events of the stream this tab has applied. One node sends a socket its events in order,
// but with several nodes one publish can overtake another (N+1 arrives before N): an event is
// new unless it was applied already, not only when it is above the highest one.

/** Events above the floor remembered; past them the oldest counts as settled (a late publish is
 *  late by milliseconds, not by a thousand events). The server keeps the same window. */
const WINDOW = 1024;

export class StreamPosition {
  /** The highest event applied: where a reconnect resumes from (null: none yet). */
  last: number | null = null;
  #floor = 0;
  readonly #seen = new Set<number>();

  /** The stream starts (again) at `at`: everything at or below it is known. */
  reset(at: number | null): void {
    this.last = at;
    this.#floor = at ?? 0;
    this.#seen.clear();
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
