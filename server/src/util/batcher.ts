// Group commit: inputs submitted while a batch is being committed wait and go together in the
// next one. When idle, a batch starts `delayMs` after the first input (0: on the next turn of the
// event loop, so requests parsed in the same I/O phase share it); after a batch, the next one
// starts at once with whatever arrived meanwhile.

export interface BatcherOptions {
  /** Largest batch; more inputs wait for the next one. */
  maxBatch: number;
  /** How long an input arriving while idle waits for company; 0 means the next event-loop turn. */
  delayMs?: number;
  /** Called when a whole batch failed; every input of it is rejected with the error. */
  onError?: (err: unknown) => void;
}

interface Pending<I, O> {
  input: I;
  resolve(o: O): void;
  reject(e: unknown): void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;

  /** `run` commits the inputs and answers each, in order (and publishes what they caused). */
  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been answered. */
  async idle(): Promise<void> {
    while (this.queue.length || this.running || this.scheduled) {
      await (this.running ?? new Promise((r) => setImmediate(r)));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.running = this.drain().finally(() => {
        this.running = null;
        if (this.queue.length) this.schedule();
      });
    };
    if (this.options.delayMs) setTimeout(start, this.options.delayMs);
    else setImmediate(start);
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      try {
        const out = await this.run(batch.map((p) => p.input));
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(out[i]!);
      } catch (err) {
        this.options.onError?.(err);
        for (const p of batch) p.reject(err);
      }
    }
  }
}
