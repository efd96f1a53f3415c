import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHistoryReport, type HistoryReport, runHistoryBenchmark } from '../bench/history.ts';
import { runBenchmark } from '../bench/run.ts';
import { parseSize, shapeFor } from '../bench/size.ts';
import { formatReport, type Report } from '../bench/table.ts';
import { tempDir } from './helpers.ts';

describe('bench', () => {
  it('reads sizes in decimal units and picks a month of traffic when the size allows', () => {
    expect(parseSize('50MB')).toBe(50e6);
    expect(parseSize('1.5 GB')).toBe(1.5e9);
    expect(() => parseSize('lots')).toThrow(/--size/);
    // 481,000 bytes a charge point-day: 1 GB is 2,079 charge point-days, 69 charge points × 30 days
    expect(shapeFor(1e9)).toEqual({ chargePoints: 69, days: 30 });
    expect(shapeFor(1e6)).toEqual({ chargePoints: 1, days: 2 });
  });

  // A smoke run: the numbers are whatever this machine gives; only the bookkeeping is checked.
  it('runs every measurement on a tiny landing, and the naive reader and the run agree', async () => {
    const dir = tempDir('ocpp-bench-test-');
    const report = await runBenchmark({ size: '1MB', runs: 1, workDir: join(dir, 'work'), resultsDir: join(dir, 'results') });
    const written = JSON.parse(readFileSync(join(dir, 'results', '1MB.json'), 'utf8')) as Report;
    expect(written).toEqual(report);
    expect(Object.keys(report.measurements)).toEqual([
      'a_cat',
      'b_duckdb_read_ndjson',
      'c_naive_node',
      'd_full_run',
      'd_full_run_html',
      'e_incremental_night',
      'f_export',
      'g_engine_floor',
    ]);
    for (const measurement of Object.values(report.measurements)) {
      expect(measurement.runs).toHaveLength(1);
      expect(measurement.peakRssMiB).toBeGreaterThan(0);
    }
    expect(report.linesSeen.agree).toBe(true);
    expect(report.energy.agree).toBe(true);
    expect(report.energy.run.completed).toBeGreaterThan(0);
    // the engine's floor read the same transactions as the naive script (computed apart from it)
    expect(report.floorEnergy).toMatchObject({ floor: report.energy.naive, agree: true });
    expect(Object.keys(report.floorEnergy.stagesS)).toEqual([
      'messages',
      'samples',
      'transactions',
      'checkpoint',
      'day_files',
      'transactions_file',
    ]);
    expect(report.linesSeen.floor).toBe(report.landing.lines);
    // the held-back day is the incremental night's, and it went back after each run
    expect(report.landing.nextDayLines).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'work', 'next-day'))).toBe(true);
    expect(formatReport(report)).toContain('| (e) incremental night |');
    // the run's own step events say where its time went
    expect(Object.keys(report.measurements.d_full_run!.steps ?? {})).toEqual([
      'load',
      'validate_payloads',
      'models',
      'audits',
      'export_months',
      'rest',
    ]);
    expect(report.measurements.e_incremental_night!.slowestModels?.length).toBeGreaterThan(0);
  }, 120_000);

  it('--one-file joins the same days into one landing file, and every line goes through it', async () => {
    const dir = tempDir('ocpp-bench-test-');
    const report = await runBenchmark({
      size: '1MB',
      runs: 1,
      workDir: join(dir, 'work'),
      resultsDir: join(dir, 'results'),
      oneFile: true,
    });
    expect(JSON.parse(readFileSync(join(dir, 'results', '1MB-one-file.json'), 'utf8'))).toEqual(report);
    expect(report.command).toBe('npm run bench -- --size 1MB --runs 1 --one-file');
    // the day files the bench generated, counted here
    const dayFiles = readdirSync(join(dir, 'work', 'landing'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const dayLines = dayFiles.reduce(
      (sum, entry) => sum + readFileSync(join(entry.parentPath, entry.name), 'utf8').split('\n').length - 1,
      0,
    );
    expect(dayFiles.length).toBeGreaterThan(1);
    expect(report.landing.files).toBe(1);
    expect(report.landing.lines).toBe(dayLines);
    expect(report.linesSeen.agree).toBe(true);
    expect(report.energy.agree).toBe(true);
  }, 120_000);

  it('measures the micro-batch, the query and the night on a short and a long history', async () => {
    const dir = tempDir('ocpp-bench-history-test-');
    const report = await runHistoryBenchmark({
      chargePoints: 1,
      days: 3,
      shortDays: 2,
      runs: 1,
      workDir: join(dir, 'work'),
      resultsDir: join(dir, 'results'),
    });
    const written = JSON.parse(readFileSync(join(dir, 'results', 'history-1cp.json'), 'utf8')) as HistoryReport;
    expect(written).toEqual(report);
    // the micro-batch is the first 5 minutes of the held-back fourth day, a part of that day
    expect(report.network.nextDay).toBe('2024-01-04');
    expect(report.network.liveLines).toBeGreaterThan(0);
    expect(report.network.liveLines).toBeLessThan(report.network.nextDayLines);
    for (const side of [report.short, report.long]) {
      for (const timed of [side.live, side.lastSeen, side.night]) {
        expect(timed.runsS).toHaveLength(1);
        expect(timed.peakRssMiB).toBeGreaterThan(0);
      }
    }
    expect(report.ratios.liveLongOverShort).toBeCloseTo(report.long.live.medianS / report.short.live.medianS, 2);
    expect(formatHistoryReport(report)).toContain('| run --live (5-minute micro-batch) |');
    // the measured runs add their file to the landing the warehouse was built from, and take it out
    // again; the warm-up batch that settled the warehouse stays in its history
    expect(readdirSync(join(dir, 'work', 'long', 'landing')).sort()).toEqual([
      'date=2024-01-01',
      'date=2024-01-02',
      'date=2024-01-03',
      'date=2024-01-03-warm-up',
    ]);
  }, 600_000);
});
