import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerViolations, lineageOf, unknownReads, upstreamOf } from '../jobs/models/lineage.ts';
import { buildOrder, loadSqlProject, RAW_TABLES } from '../jobs/models/project.ts';
import { tempDir } from './helpers.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PROJECT_ROOT, 'bin', 'ocpp-report.mjs');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') fail(error);
      else done({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** A throwaway sql/ tree: { 'marts/fct_x.sql': 'select ...' }. */
function sqlProject(files: Record<string, string>): string {
  const dir = join(tempDir('ocpp-lineage-'), 'sql');
  for (const [path, sql] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), sql);
  }
  return dir;
}

describe('the layering of sql/', () => {
  it('no model reads a model of a later layer, and reports and audits read no report or audit', () => {
    expect(layerViolations(lineageOf())).toEqual([]);
  });

  it('every table a model reads is a model, a raw table or one of its own CTEs', () => {
    expect(unknownReads()).toEqual([]);
  });

  it('the models have a build order (no cycle)', () => {
    expect(() => buildOrder(loadSqlProject())).not.toThrow();
  });

  it('finds a staging model reading a mart, an intermediate model reading raw lines and a report reading a report', () => {
    const dir = sqlProject({
      'staging/base/base_lines.sql': 'select file_id, line_no, from landing_lines',
      'staging/stg_late.sql': 'select file_id, from fct_late',
      'intermediate/int_raw.sql': 'select line_no, from landing_lines',
      'marts/fct_late.sql': 'select file_id, from base_lines',
      'reports/report_a.sql': 'select file_id, from fct_late',
      'reports/report_b.sql': 'select file_id, from report_a',
      'audits/audit_ok.sql': 'select file_id, from fct_late where file_id is null',
    });
    expect(layerViolations(lineageOf(loadSqlProject(dir), dir))).toEqual([
      'sql/staging/stg_late.sql (staging) reads fct_late (marts); staging may read raw, base',
      'sql/intermediate/int_raw.sql (intermediate) reads landing_lines (raw); intermediate may read base, staging, intermediate',
      'sql/reports/report_b.sql (reports) reads report_a (reports); reports may read raw, base, staging, intermediate, marts',
    ]);
  });

  it('finds a read of a table that nothing builds, but not of CTEs, table functions or `is not distinct from`', () => {
    const dir = sqlProject({
      'marts/fct_days.sql': [
        'with',
        '',
        'landing_lines as (',
        '    select line_no, from landing_lines',
        '),',
        '',
        'days as (',
        '    select day, from range(1, 8) as days(day)',
        ')',
        '',
        'select d.day, from days as d',
        'left join fct_typo on true',
        'left join landing_lines on landing_lines.line_no is not distinct from d.day',
        '',
      ].join('\n'),
    });
    expect(unknownReads(loadSqlProject(dir), dir)).toEqual(['sql/marts/fct_days.sql reads unknown table fct_typo']);
  });
});

describe('npx ocpp-report lineage', () => {
  it('prints the graph as JSON with the edges the SQL declares', async () => {
    const { code, stdout } = await cli(['lineage', '--format', 'json']);
    expect(code).toBe(0);
    const graph = JSON.parse(stdout) as {
      nodes: { id: string; name: string; stage: string; path: string | null; reads: string[] }[];
      edges: { from: string; to: string }[];
    };
    // sql/marts/fct_transactions.sql imports exactly these (read from the file by hand): what it is
    // built from, and the transactions an incremental run rebuilds (int_run_touched_transactions).
    const fct = graph.nodes.find((node) => node.name === 'fct_transactions');
    expect(fct).toEqual({
      id: 'fct_transactions',
      name: 'fct_transactions',
      stage: 'marts',
      path: 'sql/marts/fct_transactions.sql',
      reads: [
        'int_energy_register_samples',
        'int_run_touched_transactions',
        'int_transaction_prices',
        'int_transactions',
        'stg_finance__customers',
        'stg_finance__tariffs',
      ],
    });
    expect(graph.edges).toContainEqual({ from: 'int_transactions', to: 'fct_transactions' });
    expect(graph.edges).toContainEqual({ from: 'landing_lines', to: 'base_ocpp__lines' });
    expect(graph.nodes.find((node) => node.name === 'base_ocpp__messages')?.stage).toBe('base');
    expect(graph.nodes.filter((node) => node.stage === 'raw').map((node) => node.name)).toEqual([...RAW_TABLES].sort());
    // reports/runs.sql reads the raw table of its own name; the report gets a qualified id.
    expect(graph.edges).toContainEqual({ from: 'runs', to: 'reports/runs' });
    expect(new Set(graph.nodes.map((node) => node.id)).size).toBe(graph.nodes.length);
  });

  it('prints text and Graphviz dot', async () => {
    const text = await cli(['lineage']);
    expect(text.stdout).toMatch(
      /^marts +fct_transactions +<- int_energy_register_samples, int_run_touched_transactions, int_transaction_prices, int_transactions, stg_finance__customers, stg_finance__tariffs$/m,
    );
    const dot = await cli(['lineage', '--format', 'dot']);
    expect(dot.stdout).toMatch(/^digraph lineage \{/);
    expect(dot.stdout).toContain('  "int_transactions" -> "fct_transactions";');
    expect(dot.stdout.trimEnd().endsWith('}')).toBe(true);
  });

  it('--model follows a figure back to the raw lines and leaves out what does not feed it', async () => {
    const { code, stdout } = await cli(['lineage', '--model', 'workbook_transactions', '--format', 'json']);
    expect(code).toBe(0);
    const names = (JSON.parse(stdout) as { nodes: { id: string }[] }).nodes.map((node) => node.id);
    for (const upstream of [
      'workbook_transactions',
      'fct_transactions',
      'int_transactions',
      'stg_ocpp__stop_transactions',
      'base_ocpp__lines',
      'landing_lines',
    ]) {
      expect(names).toContain(upstream);
    }
    for (const unrelated of ['dim_charge_points', 'stg_ocpp__heartbeats', 'export_transactions', 'landing_files']) {
      expect(names).not.toContain(unrelated);
    }
    expect(upstreamOf(lineageOf(), 'landing_lines').map((node) => node.name)).toEqual(['landing_lines']);
  });

  it('rejects an unknown model and format with a usage error', async () => {
    const model = await cli(['lineage', '--model', 'fct_nothing']);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain('--model');
    const format = await cli(['lineage', '--format', 'svg']);
    expect(format.code).toBe(2);
  });
});
