// Figures from raw samples: growable sample buffers, percentiles and the summaries the report prints.

/** A Float64Array that grows; samples cross IPC as one typed array instead of a JSON list. */
export class Grow {
  a = new Float64Array(1024);
  n = 0;
  push(v: number) {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  take(): Float64Array {
    return this.a.slice(0, this.n);
  }
}

export interface Summary {
  n: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Nearest-rank percentile of an ascending array. */
export function pct(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

export function summarize(samples: Float64Array | number[]): Summary {
  const s = Float64Array.from(samples).sort();
  return { n: s.length, p50: round(pct(s, 50)), p99: round(pct(s, 99)), max: round(s.length ? s[s.length - 1]! : null) };
}

export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}
