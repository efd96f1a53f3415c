import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { queryJsonRows, withWarehouse } from '../jobs/db.ts';
import { createRandom } from '../jobs/generate/random.ts';
import { writeLanding } from '../jobs/generate/write-landing.ts';
import { tempDir } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'ocpp-report.mjs');

/** Runs the nightly job as a separate process; with killAfterMs it is killed with SIGKILL. */
const AS_OF = '2030-01-01T00:00:00Z';

function runCli(landing: string, dir: string, killAfterMs?: number): Promise<number | null> {
  return new Promise((resolveRun) => {
    const child = spawn(
      'node',
      // a fixed --as-of: the status page describes that moment, so a rerun writes the same page
      [CLI, 'run', '--landing', landing, '--warehouse', join(dir, 'wh.duckdb'), '--out', join(dir, 'out'), '--quiet', '--as-of', AS_OF],
      {
        cwd: ROOT,
        stdio: 'ignore',
      },
    );
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun(code);
    });
  });
}

function visibleFiles(out: string): string[] {
  try {
    return readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
  } catch {
    return [];
  }
}

/** What a reader can open must be complete: every visible file parses as its format. */
async function assertReadable(out: string): Promise<void> {
  for (const path of visibleFiles(out)) {
    if (path.endsWith('.parquet')) {
      await withWarehouse(':memory:', (db) => queryJsonRows(db, `select count(*) from read_parquet($path)`, { path }));
    } else if (path.endsWith('.xlsx')) {
      await new ExcelJS.Workbook().xlsx.readFile(path);
    } else if (path.endsWith('.json')) {
      JSON.parse(readFileSync(path, 'utf8'));
    } else if (path.endsWith('.html')) {
      expect(readFileSync(path, 'utf8').trimEnd().endsWith('</html>'), path).toBe(true);
    }
  }
}

/**
 * Everything a reader gets from the outputs, minus what names the run that wrote it (run id and
 * generation time), which a killed-and-rerun night cannot share with a clean one.
 */
async function outputContent(out: string): Promise<Record<string, unknown>> {
  const content: Record<string, unknown> = {};
  for (const path of visibleFiles(out)) {
    const key = relative(out, path);
    if (path.endsWith('.xlsx')) {
      const workbook = await new ExcelJS.Workbook().xlsx.readFile(path);
      content[key] = workbook.worksheets.map((sheet) => {
        const rows: unknown[] = [];
        sheet.eachRow((row) => {
          const values = JSON.stringify(row.values);
          if (!/Run id|Generated/i.test(values)) rows.push(values);
        });
        return [sheet.name, rows];
      });
    } else if (path.endsWith('.json')) {
      content[key] = JSON.stringify(
        JSON.parse(readFileSync(path, 'utf8'), (name, value) => (/run_?id|generated/i.test(name) ? undefined : value)),
      );
    } else if (path.endsWith('.html') || path.endsWith('.md')) {
      content[key] = readFileSync(path, 'utf8').replace(/[Rr]un \d+/g, 'run N');
    } else {
      content[key] = readFileSync(path).toString('base64');
    }
  }
  return content;
}

describe('crash safety', () => {
  it('kill -9 at random points of a night, then a rerun, gives the outputs of a clean run, and no reader sees a partial file', async () => {
    const source = tempDir();
    await writeLanding({
      out: source,
      dialect: 'envelope',
      chargePoints: 3,
      days: 6,
      start: '2024-01-28',
      seed: 21,
      heartbeatIntervalS: 900,
    });
    const days = readdirSync(source).sort();
    const earlier = tempDir();
    for (const day of days.slice(0, -1)) cpSync(join(source, day), join(earlier, day), { recursive: true });

    const clean = tempDir();
    expect(await runCli(earlier, clean)).toBe(0);
    expect(await runCli(source, clean)).toBe(0);
    const expected = await outputContent(join(clean, 'out'));
    expect(Object.keys(expected).length).toBeGreaterThan(5);

    const random = createRandom(20241125);
    for (let attempt = 0; attempt < 5; attempt++) {
      const dir = tempDir();
      mkdirSync(dir, { recursive: true });
      // the previous nights ran cleanly; tonight's run is killed somewhere, then rerun
      expect(await runCli(earlier, dir)).toBe(0);
      const killedAt = random.int(200, 4000);
      await runCli(source, dir, killedAt);
      await assertReadable(join(dir, 'out'));
      expect(await runCli(source, dir), `rerun after a kill at ${killedAt} ms`).toBe(0);
      expect(await outputContent(join(dir, 'out')), `kill at ${killedAt} ms`).toEqual(expected);
    }
  }, 600_000);
});
