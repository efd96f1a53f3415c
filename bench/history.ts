/**
 * The history benchmark: does a run's work follow its new lines, whatever the history kept?
 *
 *   npm run bench -- --history [--charge-points 40] [--days 69] [--short-days 21] [--runs 3] [--work-dir DIR]
 *
 * One seeded network (one file per day), built twice: with the last `--short-days` days of
 * history and with all `--days` (the same current month). On each warehouse, each from a fresh
 * copy, median of --runs:
 *   - a micro-batch: `run --live` with the first 5 minutes of the next day (a file of their own);
 *   - `query last-seen` on the warehouse the micro-batch left (the operator's cheapest question);
 *   - a night: `run` with the whole next day.
 * Ratios are taken within this one run (long ÷ short history; micro-batch ÷ query), so a loaded
 * machine skews both sides alike. Writes <results-dir>/history-<n>cp.json. No test asserts a time.
 */
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelsSqlHash } from '../jobs/nightly.ts';
import { measure, median, type ProcessRun } from './measure.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'ocpp-report.mjs');
const START = '2024-01-01';
const SEED = 8;
const LIVE_MINUTES = 5;

export interface HistoryOptions {
  chargePoints: number;
  days: number;
  shortDays: number;
  runs: number;
  workDir?: string;
  resultsDir: string;
  verbose?: boolean;
}

interface Timed {
  medianS: number;
  runsS: number[];
  peakRssMiB: number;
}

export interface HistoryReport {
  network: { chargePoints: number; days: number; shortDays: number; nextDay: string; liveLines: number; nextDayLines: number };
  loadAverage: { before: number[]; after: number[] };
  short: { live: Timed; lastSeen: Timed; night: Timed };
  long: { live: Timed; lastSeen: Timed; night: Timed };
  ratios: { liveLongOverShort: number; liveOverLastSeen: number; nightLongOverShort: number };
  peakRssMiB: number;
}

export async function runHistoryBenchmark(options: HistoryOptions): Promise<HistoryReport> {
  const workDir = resolve(options.workDir ?? join(tmpdir(), `ocpp-report-bench-history-${options.chargePoints}cp`));
  const log = (message: string) => options.verbose && process.stderr.write(`bench history: ${message}\n`);
  const loadBefore = loadavg();
  const all = join(workDir, 'all');
  const marker = join(workDir, 'landing.json');
  const wanted = JSON.stringify({ chargePoints: options.chargePoints, days: options.days + 1, start: START, seed: SEED });
  if (!(existsSync(marker) && readFileSync(marker, 'utf8') === wanted)) {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    log(`generating ${options.chargePoints} charge points × ${options.days + 1} days`);
    await cliRun([
      'generate',
      '--out',
      all,
      '--charge-points',
      String(options.chargePoints),
      '--days',
      String(options.days + 1),
      '--start',
      START,
      '--seed',
      String(SEED),
    ]);
    writeFileSync(marker, wanted);
  }
  const dayDirs = readdirSync(all).sort();
  const nextDayDir = dayDirs.at(-1)!;
  const nextDay = nextDayDir.replace('date=', '');
  const liveLines = firstMinutes(join(all, nextDayDir), nextDay, LIVE_MINUTES);
  const nextDayLines = readDir(join(all, nextDayDir)).reduce((sum, file) => sum + countLines(file), 0);

  const histories = { short: dayDirs.slice(-1 - options.shortDays, -1), long: dayDirs.slice(-1 - options.days, -1) };
  const built: Record<string, string> = {};
  for (const [name, days] of Object.entries(histories)) {
    const base = join(workDir, name);
    const landing = join(base, 'landing');
    const builtMarker = join(base, 'built.json');
    // a warehouse built from other SQL would rebuild its models in full in every measured run
    const builtFrom = JSON.stringify({ days, models: modelsSqlHash(), settled: 'a warm-up batch' });
    if (!(existsSync(builtMarker) && readFileSync(builtMarker, 'utf8') === builtFrom)) {
      rmSync(base, { recursive: true, force: true });
      for (const day of days) linkTree(join(all, day), join(landing, day));
      log(`building the ${days.length}-day warehouse`);
      await nightlyRunOn(base);
      await settle(base, join(workDir, 'live', `ocpp-live-${nextDay}T0000.ndjson`), nextDay, days.at(-1)!.replace('date=', ''));
      writeFileSync(builtMarker, builtFrom);
    }
    built[name] = base;
  }

  const runsOf = () => ({ lives: [] as ProcessRun[], queries: [] as ProcessRun[], nights: [] as ProcessRun[] });
  const measured = { short: runsOf(), long: runsOf() };
  /** One micro-batch, query and night on one history, each on a fresh copy of its warehouse. */
  const measureOnce = async (name: 'short' | 'long', index: number) => {
    const base = built[name]!;
    const { lives, queries, nights } = measured[name];
    // The warehouse knows its files by path: the new file goes into the landing directory it
    // was built from (and out again); the warehouse and reports are fresh copies each time.
    const landing = join(base, 'landing');
    const runOn = (dir: string, live: boolean) =>
      cliMeasure([
        'run',
        ...(live ? ['--live'] : []),
        '--landing',
        landing,
        '--warehouse',
        join(dir, 'warehouse.duckdb'),
        '--out',
        join(dir, 'reports'),
        '--settle-seconds',
        '0',
        '--quiet',
      ]);
    const live = fresh(join(workDir, `${name}-live`), base);
    const liveDir = join(landing, `${nextDayDir}-live`);
    linkTree(join(workDir, 'live'), liveDir);
    log(`${name}: run --live ${index + 1}/${options.runs}`);
    try {
      lives.push(await runOn(live, true));
    } finally {
      rmSync(liveDir, { recursive: true, force: true });
    }
    queries.push(await cliMeasure(['query', 'last-seen', '--warehouse', join(live, 'warehouse.duckdb'), '--format', 'json']));
    const night = fresh(join(workDir, `${name}-night`), base);
    const nightDir = join(landing, nextDayDir);
    linkTree(join(all, nextDayDir), nightDir);
    log(`${name}: night ${index + 1}/${options.runs}`);
    try {
      nights.push(await runOn(night, false));
    } finally {
      rmSync(nightDir, { recursive: true, force: true });
    }
  };
  // interleaved run by run, so a change in the machine's load (or a cold file cache) falls on
  // both histories alike
  for (let index = 0; index < options.runs; index += 1) {
    await measureOnce('short', index);
    await measureOnce('long', index);
  }
  const summary = (runs: ReturnType<typeof runsOf>) => ({
    live: timed(runs.lives),
    lastSeen: timed(runs.queries),
    night: timed(runs.nights),
  });
  const short = summary(measured.short);
  const long = summary(measured.long);
  const report: HistoryReport = {
    network: { chargePoints: options.chargePoints, days: options.days, shortDays: options.shortDays, nextDay, liveLines, nextDayLines },
    loadAverage: { before: loadBefore.map((value) => round(value, 2)), after: loadavg().map((value) => round(value, 2)) },
    short,
    long,
    ratios: {
      liveLongOverShort: round(long.live.medianS / short.live.medianS, 3),
      liveOverLastSeen: round(long.live.medianS / long.lastSeen.medianS, 3),
      nightLongOverShort: round(long.night.medianS / short.night.medianS, 3),
    },
    peakRssMiB: Math.max(...[short, long].flatMap((side) => [side.live.peakRssMiB, side.night.peakRssMiB, side.lastSeen.peakRssMiB])),
  };
  mkdirSync(options.resultsDir, { recursive: true });
  writeFileSync(join(options.resultsDir, `history-${options.chargePoints}cp.json`), `${JSON.stringify(report, null, 2)}\n`);
  return report;

  function firstMinutes(dayDir: string, day: string, minutes: number): number {
    const liveDir = join(workDir, 'live');
    rmSync(liveDir, { recursive: true, force: true });
    mkdirSync(liveDir, { recursive: true });
    const until = Date.parse(`${day}T00:00:00Z`) + minutes * 60_000;
    const lines = readDir(dayDir)
      .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
      .filter((line) => {
        const at = /"(?:received_at|write_timestamp)":"([^"]+)"/.exec(line)?.[1];
        return at !== undefined && Date.parse(at) < until;
      });
    writeFileSync(join(liveDir, `ocpp-live-${day}T0000.ndjson`), `${lines.join('\n')}\n`);
    return lines.length;
  }
}

function fresh(target: string, base: string): string {
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(join(base, 'warehouse.duckdb'), join(target, 'warehouse.duckdb'));
  cpSync(join(base, 'reports'), join(target, 'reports'), { recursive: true });
  return target;
}

/**
 * The first run after a warehouse is built that loads and models lines pays a one-off piece of
 * DuckDB's storage work at its checkpoint (about 1 s on the 40-charge-point, 69-day warehouse:
 * a first micro-batch took 3.1-3.5 s, every later one 2.3-2.4 s). Neither a checkpoint after
 * writing to every table nor a run with nothing new pays it. A warehouse in service has paid it
 * with its first micro-batch after the build, so the bench gives each base one earlier batch: the
 * Heartbeats of the micro-batch's lines, five minutes earlier (the last day's 23:50-23:55) under
 * unique ids of their own, run as a nightly run so that nothing is left pending. They stay in the
 * base's history; the figures they touch (last seen, heartbeats) are not what is measured.
 */
async function settle(base: string, liveFile: string, day: string, previousDay: string): Promise<void> {
  const heartbeats = readFileSync(liveFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"Heartbeat"'))
    .map((line) =>
      line.replace(`"received_at":"${day}T00:0`, `"received_at":"${previousDay}T23:5`).replace('"frame":[2,"', '"frame":[2,"warm-up-'),
    );
  const dir = join(base, 'landing', `date=${previousDay}-warm-up`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'warm-up.ndjson'), `${heartbeats.join('\n')}\n`);
  await nightlyRunOn(base);
}

/** A nightly run of a base: its landing into its warehouse and reports. */
function nightlyRunOn(base: string): Promise<void> {
  return cliRun([
    'run',
    '--landing',
    join(base, 'landing'),
    '--warehouse',
    join(base, 'warehouse.duckdb'),
    '--out',
    join(base, 'reports'),
    '--settle-seconds',
    '0',
    '--quiet',
  ]);
}

/** The same files under another directory, as hard links: no copying of the landing data. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) linkTree(join(from, entry.name), join(to, entry.name));
    else linkSync(join(from, entry.name), join(to, entry.name));
  }
}

function readDir(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function countLines(file: string): number {
  const text = readFileSync(file, 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function timed(runs: ProcessRun[]): Timed {
  return {
    medianS: round(median(runs.map((run) => run.wallS)), 3),
    runsS: runs.map((run) => round(run.wallS, 3)),
    peakRssMiB: Math.round(Math.max(...runs.map((run) => run.peakRssBytes)) / 2 ** 20),
  };
}

async function cliRun(args: string[]): Promise<void> {
  await measure(process.execPath, [CLI, ...args], { cwd: ROOT, stdoutToNull: true });
}

function cliMeasure(args: string[]): Promise<ProcessRun> {
  return measure(process.execPath, [CLI, ...args], { cwd: ROOT, stdoutToNull: true });
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The report as Markdown: one table of medians, one of ratios against the targets. */
export function formatHistoryReport(report: HistoryReport): string {
  const { network, short, long, ratios } = report;
  const row = (what: string, a: Timed, b: Timed) =>
    `| ${what} | ${a.medianS.toFixed(2)} (${a.runsS.join(', ')}) | ${b.medianS.toFixed(2)} (${b.runsS.join(', ')}) | ${Math.max(a.peakRssMiB, b.peakRssMiB)} |`;
  const verdict = (value: number, target: number) => (value <= target ? 'met' : 'NOT met');
  return [
    `npm run bench -- --history: ${network.chargePoints} charge points, ${network.shortDays} vs ${network.days} days of history before ${network.nextDay}; micro-batch ${network.liveLines} lines (first ${LIVE_MINUTES} minutes of ${network.nextDay}); night ${network.nextDayLines} lines`,
    `load average before ${report.loadAverage.before.join(' / ')}, after ${report.loadAverage.after.join(' / ')}`,
    '',
    `| measurement | ${network.shortDays} days: median s (runs) | ${network.days} days: median s (runs) | peak RSS MiB |`,
    '| --- | --- | --- | ---: |',
    row('run --live (5-minute micro-batch)', short.live, long.live),
    row('query last-seen', short.lastSeen, long.lastSeen),
    row('run (one new day)', short.night, long.night),
    '',
    '| ratio | value | target | |',
    '| --- | ---: | --- | --- |',
    `| micro-batch, ${network.days} ÷ ${network.shortDays} days | ${ratios.liveLongOverShort} | <= 1.3 | ${verdict(ratios.liveLongOverShort, 1.3)} |`,
    `| micro-batch ÷ query last-seen (${network.days} days) | ${ratios.liveOverLastSeen} | <= 3 | ${verdict(ratios.liveOverLastSeen, 3)} |`,
    `| night, ${network.days} ÷ ${network.shortDays} days | ${ratios.nightLongOverShort} | <= 1.3 | ${verdict(ratios.nightLongOverShort, 1.3)} |`,
    `| peak RSS | ${report.peakRssMiB} MiB | <= 1024 MiB | ${verdict(report.peakRssMiB, 1024)} |`,
  ].join('\n');
}
