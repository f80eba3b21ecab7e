// Scenario 9, ImbaChat only: what a person feels, in the system's Chromium with the real server on
// loopback: script tag → launcher painted (cold and warm HTTP cache), click → dialog list, click →
// a 50-message history. Timed inside the page (lib/page-probe.js); no reference server has these
// figures, so each is printed against its target instead of a ratio.
import { loadavg } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { ensureWidgetBuilt } from '../../../scripts/stack.ts';
import { CHROMIUM_ARGS, findChromium } from '../../../scripts/chromium.ts';
import { type HostPage, startHostPage } from '../lib/host-page.ts';
import { api, call, openConversations, tokenFor } from '../lib/imbachat.ts';
import { knobs } from '../lib/knobs.ts';
import type { Metric, ScenarioResult } from '../lib/report.ts';
import { pct } from '../lib/stats.ts';
import { type Target, machineTicks, startTarget, treeCpuMs } from '../lib/targets.ts';
import type { Ctx } from './flow.ts';

/** Milliseconds from the start (script tag or click) to the DOM change and to the frame painting it. */
interface Timing {
  dom: number;
  frame: number;
  /** API requests made on the way, from the click (ms). */
  requests?: { name: string; start: number; end: number }[];
  /** How much earlier the preload scanner fetched the loader than the parser reached the tag. */
  markAfterFetchMs?: number;
}

const ME = 1;
/** The dialog whose history is opened; the other partners each have a dialog with one message. */
const HISTORY_PARTNER = 2;
const OTHER_PARTNERS = [3, 4, 5, 6, 7, 8, 9, 10, 11];
const HISTORY_MESSAGES = 50;
const LAST_TEXT = `Message ${HISTORY_MESSAGES} of ${HISTORY_MESSAGES}, the last one`;
// A person needs a few hundred ms to see the launcher (or the list) and click: the click lands
// once the chat is ready and the page has settled, as theirs would, not in the middle of start-up.
const REACTION_MS = 300;
const STEP_TIMEOUT_MS = 15_000;
const CONTEXT = { viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function within<T>(p: Promise<T>, what: string, errors: string[]): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${STEP_TIMEOUT_MS} ms${errors.length ? ` (page: ${errors.slice(-3).join(' | ')})` : ''}`)), STEP_TIMEOUT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const WORDS = ['see you at the station', 'the report is in the shared folder', 'can we move it to Thursday?', 'thanks, that works', 'I will call after lunch', 'did the parcel arrive?'];

/** The data a person would have: ten dialogs, the newest with a 50-message history that ends with LAST_TEXT. */
async function seed(target: Target, devId: string): Promise<void> {
  const base = api(devId);
  const post = async (dialogId: number, sender: number, text: string) => {
    const r = await call(target.baseUrl, 'POST', `${base}/dialogs/${dialogId}/messages`, await tokenFor(sender), { text });
    if (r.status !== 201 && r.status !== 200) throw new Error(`POST message → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  };
  const others = await openConversations(target.baseUrl, devId, OTHER_PARTNERS.map((p) => [ME, p]));
  for (const [i, id] of others.entries()) await post(id, OTHER_PARTNERS[i]!, `Hello from Bench user ${OTHER_PARTNERS[i]}: ${WORDS[i % WORDS.length]}`);
  const [history] = await openConversations(target.baseUrl, devId, [[ME, HISTORY_PARTNER]]);
  for (let n = 1; n <= HISTORY_MESSAGES; n++) {
    const text = n === HISTORY_MESSAGES ? LAST_TEXT : `Message ${n} of ${HISTORY_MESSAGES}: ${WORDS[n % WORDS.length]}${n % 7 === 0 ? `. ${WORDS.join(', ')}.` : ''}`;
    await post(history!, n % 2 === 0 ? ME : HISTORY_PARTNER, text);
  }
}

interface LoadResult {
  launcher: Timing;
  /** Script tag → the widget's `ready` event (signed in, dialog list loaded). */
  readyMs: number;
  list: Timing;
  history: Timing | null;
  resources: unknown;
}

/** One page load as a person lives it: the launcher shows, they open the list, then (warm) the dialog. */
async function visit(page: Page, url: string, how: 'goto' | 'reload', withHistory: boolean, errors: string[]): Promise<LoadResult> {
  if (how === 'goto') await page.goto(url, { waitUntil: 'load' });
  else await page.reload({ waitUntil: 'load' });
  const launcher = await within(page.evaluate('window.__bench.launcher') as Promise<Timing>, 'launcher', errors);
  const ready = await within(page.evaluate('window.__bench.ready') as Promise<number>, 'ready event', errors);
  const start = (await page.evaluate('window.__bench.t0')) as number;
  await sleep(REACTION_MS);
  const list = await within(page.evaluate('window.__bench.openList()') as Promise<Timing>, 'dialog list', errors);
  let history: Timing | null = null;
  if (withHistory) {
    await sleep(REACTION_MS);
    const open = `window.__bench.openDialog(${JSON.stringify(`Bench user ${HISTORY_PARTNER}`)}, ${JSON.stringify(LAST_TEXT)})`;
    history = await within(page.evaluate(open) as Promise<Timing>, 'history', errors);
  }
  return { launcher, readyMs: ready - start, list, history, resources: await page.evaluate('window.__bench.resources()') };
}

const r1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

function spread(samples: number[]) {
  const s = Float64Array.from(samples).sort();
  return { n: s.length, p50: r1(pct(s, 50)), p95: r1(pct(s, 95)), max: r1(s.length ? s[s.length - 1]! : null) };
}

type Figure = 'launcher_cold' | 'launcher_warm' | 'list_warm' | 'history_warm' | 'list_cold';

function metrics(): Metric[] {
  const pair = (key: Figure, label: string, target?: number): Metric[] =>
    (['p50', 'p95'] as const).map((p) => ({ key: `${key}_${p}`, label: `${label} ${p}`, unit: 'ms', ...(target !== undefined && { target }) }));
  return [
    ...pair('launcher_cold', 'script tag → launcher painted, cold cache', 150),
    ...pair('launcher_warm', 'script tag → launcher painted, warm cache', 100),
    ...pair('list_warm', 'click launcher → dialog list, warm', 50),
    ...pair('history_warm', `click dialog → history (${HISTORY_MESSAGES} messages), warm`, 100),
    ...pair('list_cold', 'click launcher → dialog list, cold cache (no target)'),
    { key: 'machine_busy', label: 'machine busy during the loads', unit: '%' },
    { key: 'others_cpu', label: 'CPU used by other processes (noise)', unit: '%' },
  ];
}

export async function runBrowser(ctx: Ctx): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    name: 'browser',
    title: `browser: what a person feels, Chromium, server on loopback, ${knobs.browserWarmRuns} warm / ${knobs.browserColdRuns} cold loads (ImbaChat only: targets instead of ratios)`,
    metrics: metrics(),
    values: {},
    detail: {},
    errors: {},
  };
  const chromiumAt = findChromium();
  if ('missing' in chromiumAt) {
    console.log(`  skipped: ${chromiumAt.missing}`);
    result.skipped = chromiumAt.missing;
    return result;
  }
  let host: HostPage | null = null;
  let target: Target | null = null;
  let browser: Browser | null = null;
  const errors: string[] = [];
  try {
    if (await ensureWidgetBuilt({ quiet: true })) console.log('  built the widget (widget/dist was missing or older than its sources)');
    host = await startHostPage();
    target = await startTarget('imbachat', { widget: ctx.widget, label: 'browser', allowedOrigins: [host.origin] });
    await seed(target, ctx.widget.devId);
    host.setEmbed({ serverUrl: target.baseUrl, devId: ctx.widget.devId, userId: ME, token: await tokenFor(ME) });
    // Imported here, so the other scenarios never load Playwright.
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumAt.path, headless: true, args: CHROMIUM_ARGS });
    const watch = (page: Page) => {
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    };

    // Everything the bench runs is a descendant of this process (server, browser, renderers); the
    // rest of the machine's CPU use over the loads is other processes' noise.
    const ticks0 = machineTicks();
    const ours0 = treeCpuMs(process.pid);

    // Warm: one context; a first load fills its HTTP cache, then reloads are measured.
    const warmContext = await browser.newContext(CONTEXT);
    const warmPage = await warmContext.newPage();
    watch(warmPage);
    const warmUp = await visit(warmPage, host.url, 'goto', true, errors);
    const warm: LoadResult[] = [];
    for (let i = 0; i < knobs.browserWarmRuns; i++) warm.push(await visit(warmPage, host.url, 'reload', true, errors));
    await warmContext.close();

    // Cold: a fresh context (its own, empty HTTP cache) per load.
    const cold: LoadResult[] = [];
    for (let i = 0; i < knobs.browserColdRuns; i++) {
      const context = await browser.newContext(CONTEXT);
      const page = await context.newPage();
      watch(page);
      cold.push(await visit(page, host.url, 'goto', false, errors));
      await context.close();
    }

    const ticks1 = machineTicks();
    const ours1 = treeCpuMs(process.pid);
    const noise =
      ticks0 && ticks1 && ours0 !== null && ours1 !== null
        ? {
            machine_busy: Math.round(((ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total)) * 100),
            // /proc/stat counts 100 ticks per second per CPU, so one tick is 10 ms of one core.
            others_cpu: Math.max(0, Math.round((((ticks1.busy - ticks0.busy) * 10 - (ours1 - ours0)) / ((ticks1.total - ticks0.total) * 10)) * 100)),
          }
        : { machine_busy: null, others_cpu: null };

    const series: Record<Figure, [LoadResult[], (r: LoadResult) => Timing | null]> = {
      launcher_cold: [cold, (r) => r.launcher],
      launcher_warm: [warm, (r) => r.launcher],
      list_warm: [warm, (r) => r.list],
      history_warm: [warm, (r) => r.history],
      list_cold: [cold, (r) => r.list],
    };
    const spreadOf = (field: 'frame' | 'dom') =>
      Object.fromEntries(
        Object.entries(series).map(([k, [runs, pick]]) => [k, spread(runs.flatMap((r) => (pick(r) ? [pick(r)![field]] : [])))]),
      ) as Record<Figure, ReturnType<typeof spread>>;
    const figures = spreadOf('frame');
    result.values.imbachat = { ...Object.fromEntries(Object.entries(figures).flatMap(([k, s]) => [[`${k}_p50`, s.p50], [`${k}_p95`, s.p95]])), ...noise };
    const f = (s: { p50: number | null; p95: number | null }) => `p50 ${s.p50} p95 ${s.p95} ms`;
    console.log(`  warm (${warm.length} reloads): launcher ${f(figures.launcher_warm)}; list ${f(figures.list_warm)}; history ${f(figures.history_warm)}`);
    console.log(`  cold (${cold.length} fresh contexts): launcher ${f(figures.launcher_cold)}; list ${f(figures.list_cold)}`);
    console.log(`  machine busy ${noise.machine_busy ?? '–'}% (others ${noise.others_cpu ?? '–'}%), load average ${loadavg()[0]!.toFixed(2)}`);
    if (errors.length) console.log(`  page errors: ${errors.slice(0, 3).join(' | ')}`);
    result.detail = {
      chromium: browser.version(),
      executable: chromiumAt.path,
      args: CHROMIUM_ARGS,
      dialogs: OTHER_PARTNERS.length + 1,
      historyMessages: HISTORY_MESSAGES,
      reactionMs: REACTION_MS,
      measuredAs: 'frame: the requestAnimationFrame callback of the frame that paints the state; dom: when it was first in the DOM and laid out',
      frameMs: figures,
      domMs: spreadOf('dom'),
      readyMs: { warm: spread(warm.map((r) => r.readyMs)), cold: spread(cold.map((r) => r.readyMs)) },
      resources: { firstCold: cold[0]?.resources, firstWarm: warm[0]?.resources, warmUp: warmUp.resources },
      runs: { warm: warm.map(({ resources: _, ...r }) => r), cold: cold.map(({ resources: _, ...r }) => r) },
      pageErrors: errors.slice(0, 20),
    };
  } catch (err) {
    console.log(`  ImbaChat  FAILED: ${(err as Error).message.split('\n')[0]}`);
    result.errors.imbachat = (err as Error).message;
  } finally {
    await browser?.close().catch(() => undefined);
    await target?.stop();
    await host?.stop();
  }
  return result;
}
