// What a run reports: each scenario's figures per server, the ImbaChat-to-reference ratios (or, for
// figures with no reference counterpart, their targets; or, for a scenario that compares
// configurations of ImbaChat, its own columns and the ratios between them), the results JSON
// (server/bench/results/<date>.json) and the Markdown table for the README.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Knobs, SCENARIOS } from './knobs.ts';
import type { TargetKind } from './protocol.ts';
import { fmtMs } from './stats.ts';
import { LABEL } from './targets.ts';

export interface Metric {
  key: string;
  label: string;
  unit: 'ms' | 'µs' | 'msg/s' | 'KB' | 'MB' | 'count' | '%';
  /** Print ImbaChat / reference for this metric. */
  ratio?: boolean;
  /** For the reader of a ratio: above 1× is good here (a rate), not bad (a time). */
  higherIsBetter?: boolean;
  /** The most this figure should be (browser timings, which no reference server has): printed
   *  with the figure, and in the table where the ratios go. */
  target?: number;
  /** A count that must be 0 (lost deliveries): printed loudly on the console, and marked in the table when it is not. */
  mustBeZero?: boolean;
}

/** One column of a scenario that has its own (configurations of one server instead of the servers). */
export interface Column {
  key: string;
  label: string;
}

export interface ScenarioResult {
  name: string;
  title: string;
  metrics: Metric[];
  /** Figures per column: per server (TargetKind), or per one of `columns` when the scenario has its own. */
  values: Partial<Record<string, Record<string, number | null>>>;
  detail: unknown;
  errors: Partial<Record<string, string>>;
  /** Why the scenario did not run here (e.g. no Chromium): a note, not a failure. */
  skipped?: string;
  /**
   * Columns of the scenario's own instead of the servers (the cluster scenario: one node on SQLite,
   * one on PostgreSQL + Redis, several nodes): it gets a table of its own, and its ratios are
   * between these columns, each [numerator, denominator], instead of ImbaChat / reference.
   */
  columns?: { list: Column[]; ratios: Array<[string, string]> };
  /** What the figures mean and do not mean: printed under the scenario's table and kept in the JSON. */
  notes?: string[];
}

const REFS: TargetKind[] = ['ws', 'socketio'];
// Taken when the runner starts: a loaded machine makes every figure worse, the references' too.
const loadAtStart = loadavg().map((v) => Math.round(v * 100) / 100);

export function ratio(s: ScenarioResult, key: string, ref: TargetKind): number | null {
  return ratioOf(s, key, 'imbachat', ref);
}

/** values[num][key] / values[den][key], two decimals; null when either is missing or the denominator is 0. */
export function ratioOf(s: ScenarioResult, key: string, num: string, den: string): number | null {
  const a = s.values[num]?.[key];
  const b = s.values[den]?.[key];
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}

/** "≤ 100 ms, met": a figure against its target; null when either is missing. */
export function targetText(s: ScenarioResult, m: Metric): string | null {
  if (m.target === undefined) return null;
  const v = s.values.imbachat?.[m.key];
  const verdict = v === null || v === undefined ? '' : v <= m.target ? ', met' : ', missed';
  return `target ≤ ${m.target} ${m.unit}${verdict}`;
}

/** "lost deliveries: 0 everywhere", or a line that cannot be missed naming where it was not 0. */
function mustBeZeroLines(s: ScenarioResult): string[] {
  const columns = s.columns ? s.columns.list.map((c) => c.key) : Object.keys(s.values);
  const label = (k: string) => (s.columns ? k : (LABEL[k as TargetKind] ?? k));
  return s.metrics
    .filter((m) => m.mustBeZero)
    .map((m) => {
      const seen = columns.filter((c) => s.values[c]).map((c) => [c, s.values[c]![m.key]] as const);
      const bad = seen.filter(([, v]) => v !== 0);
      const all = seen.map(([c, v]) => `${label(c)} ${v ?? '–'}`).join(', ');
      return bad.length ? `!!! ${m.label.toUpperCase()} NOT 0 (must be 0): ${all} !!!` : `${m.label}: ${all} (must be 0: ok)`;
    });
}

/** The console lines of a scenario: its ratios, and its figures that are judged by a target instead. */
export function ratioLines(s: ScenarioResult): string[] {
  if (s.skipped) return [];
  if (s.columns) {
    const { ratios } = s.columns;
    return [
      ...mustBeZeroLines(s),
      ...s.metrics.flatMap((m) =>
        m.ratio
          ? ratios.flatMap(([num, den]) => {
              const r = ratioOf(s, m.key, num, den);
              return r === null ? [] : [`${m.label} ${num} / ${den} = ${fmtRatio(r)}×`];
            })
          : [],
      ),
    ];
  }
  return s.metrics.flatMap((m) =>
    m.target !== undefined
      ? [`${m.label} = ${fmt(s.values.imbachat?.[m.key], m.unit)} (${targetText(s, m)})`]
      : m.ratio
      ? REFS.flatMap((ref) => {
          const r = ratio(s, m.key, ref);
          return r === null ? [] : [`${m.label} ImbaChat / ${LABEL[ref]} = ${fmtRatio(r)}×${m.higherIsBetter ? ' (higher is better)' : ''}`];
        })
      : [],
  );
}

/** Three significant figures are all a ratio between two noisy figures can carry. */
const fmtRatio = (r: number) => (r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2));

function fmt(v: number | null | undefined, unit: Metric['unit']): string {
  if (v === null || v === undefined) return '–';
  if (unit === 'ms') return `${fmtMs(v)} ms`;
  if (unit === 'count') return String(v);
  if (unit === '%') return `${v} %`;
  return `${v.toLocaleString('en-US')} ${unit}`;
}

/**
 * One row per metric. A metric with a target (no reference counterpart) shows "target ≤ …, met" in
 * the first ratio column, or in a Target column of its own when the run has no reference servers.
 */
export function markdownTable(results: ScenarioResult[], targets: TargetKind[]): string {
  const byServer = results.filter((s) => !s.columns);
  const tables = byServer.length ? [serverTable(byServer, targets)] : [];
  for (const s of results) if (s.columns) tables.push(columnsTable(s));
  return tables.join('\n\n');
}

/** A scenario with columns of its own: one table, its columns and the ratios between them, then its notes. */
function columnsTable(s: ScenarioResult): string {
  const { list, ratios } = s.columns!;
  const head = ['Scenario', 'Metric', ...list.map((c) => c.label), ...ratios.map(([n, d]) => `${n} / ${d}`)];
  const rows = [head, head.map(() => '---')];
  if (s.skipped) rows.push([s.title, `skipped: ${s.skipped.replace(/\|/g, '/')}`, ...head.slice(2).map((_, i) => (i === 0 ? 'skipped' : ''))]);
  else
    s.metrics.forEach((m, i) => {
      const cells = list.map(({ key }) => {
        if (!s.values[key]) return s.errors[key] ? 'failed' : '';
        const v = s.values[key]![m.key];
        const text = fmt(v, m.unit);
        return m.mustBeZero && v !== 0 ? `**${text} (must be 0)**` : text;
      });
      const rs = ratios.map(([n, d]) => {
        const v = m.ratio ? ratioOf(s, m.key, n, d) : null;
        return v === null ? '' : `${fmtRatio(v)}×`;
      });
      rows.push([i === 0 ? s.title : '', m.label, ...cells, ...rs]);
    });
  const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
  return s.notes?.length ? `${table}\n\n${s.notes.map((n) => `*${n}*`).join('\n\n')}` : table;
}

function serverTable(results: ScenarioResult[], targets: TargetKind[]): string {
  const refs = REFS.filter((r) => targets.includes(r));
  const targetColumn = refs.length === 0 && results.some((s) => s.metrics.some((m) => m.target !== undefined));
  const head = ['Scenario', 'Metric', ...targets.map((t) => LABEL[t]), ...refs.map((r) => `ImbaChat / ${LABEL[r]}`), ...(targetColumn ? ['Target'] : [])];
  const rows = [head, head.map(() => '---')];
  for (const s of results) {
    if (s.skipped) {
      rows.push([s.title, `skipped: ${s.skipped.replace(/\|/g, '/')}`, ...head.slice(2).map((_, i) => (i === 0 ? 'skipped' : ''))]);
      continue;
    }
    s.metrics.forEach((m, i) => {
      const cells = targets.map((t) => (s.errors[t] && !s.values[t] ? 'failed' : s.values[t] ? fmt(s.values[t]![m.key], m.unit) : ''));
      const ratios = refs.map((r, j) => {
        if (m.target !== undefined) return j === 0 ? targetText(s, m)! : '';
        const v = m.ratio ? ratio(s, m.key, r) : null;
        return v === null ? '' : `${fmtRatio(v)}×`;
      });
      const targetCell = targetColumn ? [m.target !== undefined ? targetText(s, m)! : ''] : [];
      rows.push([i === 0 ? s.title : '', m.label, ...cells, ...ratios, ...targetCell]);
    });
  }
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function gitDirty(): boolean | null {
  try {
    return execFileSync('git', ['status', '--porcelain', '--', 'server/src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    return null;
  }
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * Writes results/<YYYY-MM-DD>.json (a later run of the same day replaces it); returns the path. A run
 * of some scenarios only (BENCH_ONLY) is named after them, <YYYY-MM-DD>-browser.json, so that it does
 * not replace the day's full run.
 */
export function writeResults(results: ScenarioResult[], knobs: Knobs, startedAt: Date, table: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const date = startedAt.toISOString().slice(0, 10);
  const partial = SCENARIOS.some((n) => !knobs.scenarios.includes(n));
  const path = join(resultsDir, `${date}${partial ? `-${knobs.scenarios.join('+')}` : ''}${knobs.quick ? '-quick' : ''}.json`);
  const cpu = cpus();
  const doc = {
    date: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    commit: gitCommit(),
    serverSrcUncommittedChanges: gitDirty(),
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? null, totalMemMb: Math.round(totalmem() / 2 ** 20), node: process.version, platform: `${process.platform} ${process.arch}` },
    loadAvgAtStart: loadAtStart,
    loadAvgAtEnd: loadavg().map((v) => Math.round(v * 100) / 100),
    knobs,
    scenarios: Object.fromEntries(
      results.map((s) => [
        s.name,
        {
          title: s.title,
          ...(s.notes && { notes: s.notes }),
          ...(s.columns && { columns: s.columns.list }),
          values: s.values,
          ratios: Object.fromEntries(
            s.columns
              ? s.metrics.filter((m) => m.ratio).flatMap((m) => s.columns!.ratios.map(([n, d]) => [`${m.key} ${n}/${d}`, ratioOf(s, m.key, n, d)]))
              : s.metrics.filter((m) => m.ratio).flatMap((m) => REFS.map((r) => [`${m.key} imbachat/${r}`, ratio(s, m.key, r)])),
          ),
          ...(s.metrics.some((m) => m.target !== undefined) && {
            targets: Object.fromEntries(
              s.metrics.filter((m) => m.target !== undefined).map((m) => {
                const v = s.values.imbachat?.[m.key];
                return [m.key, { atMost: m.target, unit: m.unit, met: v === null || v === undefined ? null : v <= m.target! }];
              }),
            ),
          }),
          errors: s.errors,
          ...(s.skipped && { skipped: s.skipped }),
          detail: s.detail,
        },
      ]),
    ),
    markdown: table,
  };
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
  return path;
}
