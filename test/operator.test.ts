import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { envelope, runOn, type TestRun } from './helpers.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const cli = (...args: string[]) => exec('node', [join(ROOT, 'bin', 'ocpp-report.mjs'), ...args], { cwd: ROOT });

describe('operator commands: quarantine, runs, --dry-run', () => {
  let run: TestRun;
  beforeAll(async () => {
    run = await runOn({
      'day.ndjson': [
        envelope.call('CP1', '2024-01-01T00:00:00Z', 'h1', 'Heartbeat', {}),
        '{"oops":',
        envelope.call('CP1', '2024-01-01T00:01:00Z', 's1', 'StartTransaction', {
          connectorId: 1,
          idTag: 'A',
          meterStart: 1.5,
          timestamp: '2024-01-01T00:00:59Z',
        }),
        envelope.call('CP1', '2024-01-01T00:02:00Z', 's2', 'StartTransaction', {
          connectorId: 1,
          idTag: 'X'.repeat(25),
          meterStart: 5,
          timestamp: '2024-01-01T00:01:59Z',
        }),
      ],
    });
  });

  it('quarantine lists each bad line with file, line number and reason; --warnings adds kept schema warnings', async () => {
    const { stdout } = await cli('quarantine', '--warehouse', run.warehouse, '--format', 'json');
    const rows = JSON.parse(stdout) as { kind: string; file: string; line_no: number; reason: string }[];
    expect(rows.map((row) => [row.kind, row.line_no])).toEqual([
      ['quarantined', 2],
      ['quarantined', 3],
    ]);
    expect(rows[0]!.reason).toBe('not JSON');
    // meterStart 1.5 is not an integer: the figure would be wrong, so the line is quarantined
    expect(rows[1]!.reason).toContain('/meterStart must be integer');
    expect(rows.every((row) => row.file === join(run.landing, 'day.ndjson'))).toBe(true);

    const withWarnings = JSON.parse((await cli('quarantine', '--warehouse', run.warehouse, '--format', 'json', '--warnings')).stdout) as {
      kind: string;
      line_no: number;
      reason: string;
    }[];
    const warning = withWarnings.find((row) => row.kind === 'warning');
    expect(warning?.line_no).toBe(4);
    expect(warning?.reason).toContain('must NOT have more than 20 characters');
  });

  it('the idTag-too-long transaction is kept and counted as loaded', () => {
    expect(run.summary.lines).toEqual({ read: 4, loaded: 2, quarantined: 2, blank: 0 });
  });

  it('runs lists the run with its line accounting', async () => {
    const [latest] = JSON.parse((await cli('runs', '--warehouse', run.warehouse, '--format', 'json')).stdout) as Record<string, unknown>[];
    expect(latest).toMatchObject({
      run_id: 1,
      status: 'succeeded',
      files_loaded: 1,
      lines_read: 4,
      lines_loaded: 2,
      lines_quarantined: 2,
      lines_blank: 0,
    });
  });

  it('--dry-run names what would be loaded and changes nothing', async () => {
    writeFileSync(join(run.landing, 'next.ndjson'), `${envelope.call('CP1', '2024-01-02T00:00:00Z', 'h9', 'Heartbeat', {})}\n`);
    const { stdout } = await cli('run', '--landing', run.landing, '--warehouse', run.warehouse, '--out', run.out, '--dry-run', '--quiet');
    expect(stdout).toContain(`would load: ${join(run.landing, 'next.ndjson')}`);
    const runs = JSON.parse((await cli('runs', '--warehouse', run.warehouse, '--format', 'json')).stdout) as unknown[];
    expect(runs).toHaveLength(1);
    expect(await run.query(`select count(*) as n from base_ocpp__lines`)).toEqual([{ n: '4' }]);
  });
});
