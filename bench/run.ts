/**
 * The side-by-side benchmark: one seeded landing directory, seven ways through it.
 *
 *   npm run bench -- [--size 50MB] [--runs 3] [--one-file] [--work-dir DIR] [--results-dir bench/results]
 *
 * (a) cat of the files, (b) DuckDB's read_ndjson into a table, (c) a naive Node script, (d) our
 * full run (without HTML, median of --runs; once more with HTML), (e) an incremental night (one
 * new day on top of the full run's warehouse), (f) `ocpp-report export` alone, (g) the engine's
 * floor: the leanest pipeline we could write for a full run's outputs, in DuckDB, with none of its
 * checks (bench/floor-pipeline.ts; what it scores against (b) and (c) says how close to them a
 * pipeline can come here). Each is its own
 * process, measured from outside (wall time, peak RSS). Prints one table and writes it as JSON to
 * <results-dir>/<size>.json. Timings are never asserted anywhere: they depend on the machine.
 * With --one-file, the days are first joined into one landing file (the shape of #18's criterion,
 * "a full run on one ~1 GB file"), and the results go to <size>-one-file.json.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { queryRows, withWarehouse } from '../jobs/db.ts';
import { measure, median, type ProcessRun } from './measure.ts';
import { type LandingShape, parseSize, shapeFor } from './size.ts';
import { formatReport, type Measurement, type Report } from './table.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'ocpp-report.mjs');
const START = '2024-03-01';
const SEED = 8;

export interface BenchOptions {
  size: string;
  runs: number;
  workDir?: string;
  resultsDir: string;
  /** Every day of the landing joined into one file (the new night stays a file of its own). */
  oneFile?: boolean;
  /** Print progress lines on stderr. */
  verbose?: boolean;
}

export async function runBenchmark(options: BenchOptions): Promise<Report> {
  const targetBytes = parseSize(options.size);
  const label = options.size.replace(/\s+/g, '').toUpperCase();
  const shape = shapeFor(targetBytes);
  const workDir = resolve(options.workDir ?? join(tmpdir(), `ocpp-report-bench-${label}`));
  const log = (message: string) => options.verbose && process.stderr.write(`bench: ${message}\n`);
  const days = await prepareLanding(workDir, shape, log);
  const { landing, nextDay } = options.oneFile ? { ...days, landing: joinIntoOneFile(workDir, days.landing, log) } : days;
  const files = landingFiles(landing);
  const nextDayFiles = landingFiles(nextDay);
  const bytes = totalBytes(files);
  const runs = Math.max(1, options.runs);

  const repeat = async (name: string, times: number, once: (index: number) => Promise<ProcessRun>): Promise<ProcessRun[]> => {
    const results: ProcessRun[] = [];
    for (let index = 0; index < times; index += 1) {
      log(`${name} ${index + 1}/${times}`);
      results.push(await once(index));
    }
    return results;
  };
  const node = (script: string, args: string[]) =>
    measure(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT });
  const cli = (args: string[]) => measure(process.execPath, [CLI, ...args], { cwd: ROOT });
  const fresh = (path: string) => {
    rmSync(path, { recursive: true, force: true });
    for (const suffix of ['.wal', '.lock', '.tmp']) rmSync(`${path}${suffix}`, { recursive: true, force: true });
    return path;
  };
  const runArgs = (warehouse: string, out: string, html: boolean) => [
    'run',
    '--landing',
    landing,
    '--warehouse',
    warehouse,
    '--out',
    out,
    '--settle-seconds',
    '0',
    // not --quiet: the JSON step events on stderr tell where the time went
    ...(html ? [] : ['--no-html']),
  ];

  const cat = await repeat('(a) cat', runs, () => measure('cat', files, { stdoutToNull: true }));
  const duckdb = await repeat('(b) duckdb read_ndjson', runs, () =>
    node('bench/duckdb-read.ts', [fresh(join(workDir, 'read_ndjson.duckdb')), ...files]),
  );
  rmSync(join(workDir, 'read_ndjson.duckdb'), { force: true });
  const naive = await repeat('(c) naive node', runs, () => node('bench/naive-node.ts', files));
  const floorDir = join(workDir, 'floor');
  const floor = await repeat('(g) engine floor', runs, () =>
    node('bench/floor-pipeline.ts', [fresh(join(floorDir, 'floor.duckdb')), join(floorDir, 'out'), ...files]),
  );
  rmSync(floorDir, { recursive: true, force: true });
  const baseline = { warehouse: join(workDir, 'warehouse.duckdb'), out: join(workDir, 'reports') };
  const full = await repeat('(d) full run', runs, () => cli(runArgs(fresh(baseline.warehouse), fresh(baseline.out), false)));
  const htmlDir = join(workDir, 'html-run');
  const fullHtml = await repeat('(d) full run with HTML', 1, () =>
    cli(runArgs(fresh(join(htmlDir, 'warehouse.duckdb')), fresh(join(htmlDir, 'reports')), true)),
  );
  rmSync(htmlDir, { recursive: true, force: true });
  const check = await energyCheck(baseline.warehouse, naive.at(-1)!.stdout);
  // the warehouse a full run leaves (closed: DuckDB has checkpointed its write-ahead log into it)
  const warehouseBytes = statSync(baseline.warehouse).size;

  const night = { warehouse: join(workDir, 'night', 'warehouse.duckdb'), out: join(workDir, 'night', 'reports') };
  const incremental = await repeat('(e) incremental night', runs, async () => {
    fresh(night.warehouse);
    fresh(night.out);
    mkdirSync(dirname(night.warehouse), { recursive: true });
    cpSync(baseline.warehouse, night.warehouse);
    cpSync(baseline.out, night.out, { recursive: true });
    const arrived = moveDays(nextDay, landing);
    try {
      return await cli(runArgs(night.warehouse, night.out, false));
    } finally {
      for (const day of arrived) renameSync(join(landing, day), join(nextDay, day));
    }
  });
  rmSync(dirname(night.warehouse), { recursive: true, force: true });
  const exportsOut = join(workDir, 'export-only');
  const exportOnly = await repeat('(f) export', runs, () =>
    cli(['export', '--warehouse', baseline.warehouse, '--out', fresh(exportsOut), '--timezone', 'UTC']),
  );
  rmSync(exportsOut, { recursive: true, force: true });

  // Every reader must have seen every line (a newline count of the files is the referee).
  const lines = countLines(files);
  const linesSeen = {
    naive: JSON.parse(naive.at(-1)!.stdout).lines as number,
    duckdb: JSON.parse(duckdb.at(-1)!.stdout).lines as number,
    floor: JSON.parse(floor.at(-1)!.stdout).lines as number,
  };
  const nextDayBytes = totalBytes(nextDayFiles);
  const nextDayLines = countLines(nextDayFiles);
  const summarise = (runsOf: ProcessRun[], basis: { bytes: number; lines: number } | null, note: string): Measurement => {
    const medianS = median(runsOf.map((run) => run.wallS));
    const typical = typicalOf(runsOf);
    const cpu = runsOf.map((run) => run.cpuS);
    return {
      ...stepsOf(typical),
      runs: runsOf.map((run) => round(run.wallS, 3)),
      medianS: round(medianS, 3),
      cpuS: cpu.every((value) => value !== null) ? round(median(cpu as number[]), 2) : null,
      mbPerS: basis ? round(basis.bytes / 1e6 / medianS, 1) : null,
      linesPerS: basis ? Math.round(basis.lines / medianS) : null,
      peakRssMiB: Math.round(Math.max(...runsOf.map((run) => run.peakRssBytes)) / 2 ** 20),
      loadBefore: runsOf.map((run) => round(run.loadBefore, 2)),
      note,
    };
  };
  const all = { bytes, lines };
  const measurements = {
    a_cat: summarise(cat, all, 'I/O floor (files in the page cache)'),
    b_duckdb_read_ndjson: summarise(duckdb, all, `read_ndjson into a table, threads = ${availableParallelism()}`),
    c_naive_node: summarise(naive, all, 'readline + JSON.parse + Map'),
    d_full_run: summarise(full, all, 'run --no-html: load, models, audits, exports'),
    d_full_run_html: summarise(fullHtml, all, 'run with the HTML reports (1 run)'),
    e_incremental_night: summarise(
      incremental,
      { bytes: nextDayBytes, lines: nextDayLines },
      'one new day on the full warehouse; rates over the new day',
    ),
    f_export: summarise(exportOnly, null, 'ocpp-report export (Parquet datasets, every month)'),
    g_engine_floor: summarise(floor, all, 'the leanest pipeline for the outputs, no checks (bench/floor-pipeline.ts)'),
  };
  const g = measurements.g_engine_floor.medianS;
  const d = measurements.d_full_run.medianS;
  const report: Report = {
    size: label,
    command: `npm run bench -- --size ${label}${runs === 3 ? '' : ` --runs ${runs}`}${options.oneFile ? ' --one-file' : ''}`,
    machine: {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      os: `linux ${release()}`,
      node: process.version,
      duckdb: duckdbVersion(),
      loadAverage: loadavg().map((value) => round(value, 2)),
    },
    landing: { ...shape, start: START, seed: SEED, files: files.length, bytes, lines, nextDayBytes, nextDayLines },
    warehouseBytes,
    measurements,
    ratios: {
      d_over_b: round(measurements.b_duckdb_read_ndjson.medianS / d, 3),
      d_over_c: round(measurements.c_naive_node.medianS / d, 3),
      e_over_d: round(measurements.e_incremental_night.medianS / d, 3),
      warehouse_over_landing: round(warehouseBytes / bytes, 3),
      g_over_b: round(measurements.b_duckdb_read_ndjson.medianS / g, 3),
      g_over_c: round(measurements.c_naive_node.medianS / g, 3),
      // by CPU time, which other load on the machine skews less than wall time: (c) runs on one
      // core, (g) at best spreads its CPU seconds over every core
      g_over_c_cpu: ratioByCpu(measurements.c_naive_node.cpuS, measurements.g_engine_floor.cpuS),
    },
    targets: {
      d_over_b: '>= 0.5',
      d_over_c: '>= 1',
      e_over_d: '<= 0.05',
      peak_rss: '<= 1024 MiB',
      warehouse_over_landing: '<= 0.3',
    },
    energy: check,
    floorEnergy: floorCheck(typicalOf(floor).stdout, naive.at(-1)!.stdout),
    linesSeen: { ...linesSeen, agree: linesSeen.naive === lines && linesSeen.duckdb === lines && linesSeen.floor === lines },
  };
  mkdirSync(options.resultsDir, { recursive: true });
  writeFileSync(join(options.resultsDir, `${label}${options.oneFile ? '-one-file' : ''}.json`), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** Generates the landing once per shape (reused while the shape and seed are the same). */
async function prepareLanding(workDir: string, shape: LandingShape, log: (message: string) => void) {
  const landing = join(workDir, 'landing');
  const nextDay = join(workDir, 'next-day');
  const marker = join(workDir, 'landing.json');
  const wanted = JSON.stringify({ ...shape, start: START, seed: SEED });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted && existsSync(landing) && existsSync(nextDay))
    return { landing, nextDay };
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(nextDay, { recursive: true });
  log(`generating ${shape.chargePoints} charge points × ${shape.days + 1} days`);
  await measure(
    process.execPath,
    [
      CLI,
      'generate',
      '--out',
      landing,
      '--charge-points',
      String(shape.chargePoints),
      '--days',
      String(shape.days + 1),
      '--start',
      START,
      '--seed',
      String(SEED),
    ],
    { cwd: ROOT },
  );
  // The last day is held back: it is the new night of (e).
  const days = readdirSync(landing).sort();
  renameSync(join(landing, days.at(-1)!), join(nextDay, days.at(-1)!));
  writeFileSync(marker, wanted);
  return { landing, nextDay };
}

/**
 * The day files of `landing`, in order, as one file of a landing directory of its own (made once,
 * kept while its size is theirs). Every day file ends with a newline, so the lines are the same.
 */
function joinIntoOneFile(workDir: string, landing: string, log: (message: string) => void): string {
  const days = landingFiles(landing);
  const dir = join(workDir, 'one-file');
  const target = join(dir, 'ocpp-all-days.ndjson');
  if (existsSync(target) && statSync(target).size === totalBytes(days) && landingFiles(dir).length === 1) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`joining ${days.length} day files into one`);
  const partial = `${target}.partial`;
  for (const day of days) appendFileSync(partial, readFileSync(day));
  renameSync(partial, target);
  return dir;
}

/**
 * Where a run's time went, from the JSON events it writes on stderr (the run closest to the
 * median): each step's seconds, and the slowest models. Validation runs inside the models step.
 */
function stepsOf(run: ProcessRun): Pick<Measurement, 'steps' | 'slowestModels'> {
  const events = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string; duration_ms?: number; model?: string });
  if (!events.some((event) => event.event === 'load')) return {};
  const seconds = (name: string) =>
    events.filter((event) => event.event === name).reduce((sum, event) => sum + (event.duration_ms ?? 0), 0) / 1000;
  const steps = {
    load: seconds('load'),
    validate_payloads: seconds('validate_payloads'),
    models: seconds('models') - seconds('validate_payloads'),
    audits: seconds('audits'),
    export_months: seconds('export_month'),
  };
  const accounted = Object.values(steps).reduce((sum, value) => sum + value, 0);
  const slowestModels = events
    .filter((event) => event.event === 'model')
    .map((event) => [event.model!, round((event.duration_ms ?? 0) / 1000, 2)] as [string, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6);
  return {
    steps: {
      ...Object.fromEntries(Object.entries(steps).map(([key, value]) => [key, round(value, 2)])),
      rest: round(run.wallS - accounted, 2),
    },
    slowestModels,
  };
}

function moveDays(from: string, to: string): string[] {
  const days = readdirSync(from);
  for (const day of days) renameSync(join(from, day), join(to, day));
  return days;
}

function landingFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ndjson(\.gz)?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function totalBytes(files: string[]): number {
  return files.reduce((sum, file) => sum + statSync(file).size, 0);
}

function countLines(files: string[]): number {
  let lines = 0;
  for (const file of files) {
    const content = readFileSync(file);
    for (let at = content.indexOf(0x0a); at !== -1; at = content.indexOf(0x0a, at + 1)) lines += 1;
  }
  return lines;
}

/** The run whose wall time is nearest the median: its steps and output stand for the measurement. */
function typicalOf(runs: ProcessRun[]): ProcessRun {
  const medianS = median(runs.map((run) => run.wallS));
  return runs.reduce((best, run) => (Math.abs(run.wallS - medianS) < Math.abs(best.wallS - medianS) ? run : best));
}

/** c's CPU seconds against g's spread over every core; null where CPU time was not measured. */
function ratioByCpu(naiveCpuS: number | null, floorCpuS: number | null): number | null {
  return naiveCpuS === null || floorCpuS === null ? null : round(naiveCpuS / (floorCpuS / availableParallelism()), 3);
}

/** The floor must have read the same transactions as (c): otherwise its time says nothing. */
function floorCheck(floorOutput: string, naiveOutput: string) {
  const floor = JSON.parse(floorOutput) as { completed: number; energyWh: number; stagesS: Record<string, number> };
  const naive = JSON.parse(naiveOutput) as { completed: number; energyWh: number };
  return {
    floor: { completed: floor.completed, energyWh: floor.energyWh },
    agree: floor.completed === naive.completed && floor.energyWh === naive.energyWh,
    stagesS: floor.stagesS,
  };
}

/** (c) and (d) must agree on the completed transactions and their energy. */
async function energyCheck(warehouse: string, naiveOutput: string) {
  const naive = JSON.parse(naiveOutput) as { completed: number; energyWh: number };
  const [row] = await withWarehouse(
    warehouse,
    (db) =>
      queryRows(
        db,
        `select count(*) as completed, coalesce(sum(energy_wh), 0) as energy_wh
         from fct_transactions
         where transaction_status = 'completed'`,
      ),
    { readOnly: true },
  );
  const run = { completed: Number(row!.completed), energyWh: Number(row!.energy_wh) };
  return {
    naive: { completed: naive.completed, energyWh: naive.energyWh },
    run,
    agree: naive.completed === run.completed && naive.energyWh === run.energyWh,
  };
}

function duckdbVersion(): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '50MB' },
      runs: { type: 'string', default: '3' },
      'one-file': { type: 'boolean', default: false },
      'work-dir': { type: 'string' },
      'results-dir': { type: 'string', default: join(ROOT, 'bench', 'results') },
      history: { type: 'boolean', default: false },
      'charge-points': { type: 'string', default: '40' },
      days: { type: 'string', default: '69' },
      'short-days': { type: 'string', default: '21' },
    },
  });
  // Every measured command runs the compiled CLI (bin/ocpp-report.mjs falls back to tsx when
  // dist/ is older than the sources, which adds about half a second to each start).
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (values.history) {
    const { formatHistoryReport, runHistoryBenchmark } = await import('./history.ts');
    const report = await runHistoryBenchmark({
      chargePoints: Number(values['charge-points']),
      days: Number(values.days),
      shortDays: Number(values['short-days']),
      runs: Number(values.runs),
      workDir: values['work-dir'],
      resultsDir: values['results-dir']!,
      verbose: true,
    });
    console.log(formatHistoryReport(report));
    process.exit(0);
  }
  const report = await runBenchmark({
    size: values.size!,
    runs: Number(values.runs),
    workDir: values['work-dir'],
    resultsDir: values['results-dir']!,
    oneFile: values['one-file'],
    verbose: true,
  });
  console.log(formatReport(report));
  if (!report.energy.agree || !report.floorEnergy.agree || !report.linesSeen.agree) process.exitCode = 1;
}
