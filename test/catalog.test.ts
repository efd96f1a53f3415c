import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ColumnDoc, DATASETS, MART_COLUMNS, TRANSACTION_COLUMNS } from '../jobs/catalog/columns.ts';
import { QUERY_TRANSACTIONS_COLUMNS } from '../jobs/commands/query-transactions.ts';
import { type Params, withWarehouse } from '../jobs/db.ts';
import { writeLanding } from '../jobs/generate/write-landing.ts';
import { loadSqlProject, sqlFile } from '../jobs/models/project.ts';
import { runNightly } from '../jobs/nightly.ts';
import { tempDir } from './helpers.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MONTH = '2024-01';

interface Described {
  name: string;
  type: string;
}

/** DuckDB's own account of a table's or a query's columns, in order. */
function describe_(warehouse: string, sql: string, params?: Params): Promise<Described[]> {
  return withWarehouse(
    warehouse,
    async (db) => {
      const reader = await db.runAndReadAll(`describe ${sql}`, params);
      return reader.getRowObjectsJson().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
    },
    { readOnly: true },
  );
}

/** What a reader of the catalog would miss or be misled by; empty when catalog and table agree. */
function catalogGaps(described: Described[], docs: ColumnDoc[]): string[] {
  const byName = new Map(docs.map((doc) => [doc.name, doc]));
  const gaps: string[] = [];
  for (const column of described) {
    const doc = byName.get(column.name);
    if (!doc) gaps.push(`${column.name}: no description`);
    else if (doc.type !== column.type) gaps.push(`${column.name}: catalog says ${doc.type}, the table has ${column.type}`);
  }
  for (const doc of docs) if (!described.some((column) => column.name === doc.name)) gaps.push(`${doc.name}: documented, not in the table`);
  return gaps;
}

describe('the column catalog against a built warehouse', () => {
  let warehouse = '';

  beforeAll(async () => {
    const dir = tempDir('ocpp-catalog-');
    const landing = join(dir, 'landing');
    warehouse = join(dir, 'warehouse.duckdb');
    // 3 charge points over 4 days across the January/February boundary: every dataset has rows.
    await writeLanding({
      out: landing,
      dialect: 'envelope',
      chargePoints: 3,
      days: 4,
      start: '2024-01-30',
      seed: 11,
      heartbeatIntervalS: 900,
    });
    await runNightly({ landing, warehouse, out: join(dir, 'reports'), months: [], timezone: 'UTC', html: false });
  });

  it('describes every column of fct_transactions (and of every mart it lists) with the type the warehouse has', async () => {
    expect(Object.keys(MART_COLUMNS)).toContain('fct_transactions');
    for (const [table, docs] of Object.entries(MART_COLUMNS)) {
      expect(catalogGaps(await describe_(warehouse, table), docs), table).toEqual([]);
    }
  });

  it('describes every column of every exported dataset, in the order and with the type its export query has', async () => {
    const files = loadSqlProject();
    for (const dataset of DATASETS) {
      const query = sqlFile(files, 'reports', `export_${dataset.name}`).sql;
      const params: Params | undefined = dataset.filesPerDay
        ? { month: MONTH, days: '' }
        : dataset.partitionedBy
          ? { month: MONTH }
          : undefined;
      // a day-file query also returns what the exporter sorts and splits by, which it does not write
      const helpers = new Set(dataset.filesPerDay?.helperColumns ?? []);
      const described = (await describe_(warehouse, `(${query})`, params)).filter((column) => !helpers.has(column.name));
      expect(catalogGaps(described, dataset.columns), dataset.name).toEqual([]);
      expect(
        described.map((column) => column.name),
        dataset.name,
      ).toEqual(dataset.columns.map((column) => column.name));
    }
  });

  it('says something about every column: a header and a description, no placeholder', () => {
    const everything = [...DATASETS.flatMap((dataset) => dataset.columns), ...Object.values(MART_COLUMNS).flat()];
    for (const doc of everything) {
      expect(doc.header.trim(), doc.name).not.toBe('');
      expect(doc.description.length, doc.name).toBeGreaterThan(10);
      expect(doc.description, doc.name).not.toMatch(/\b(TODO|TBD|FIXME)\b/);
    }
  });

  it('reports a column the catalog lacks and one it describes wrongly', () => {
    const described: Described[] = [
      { name: 'charge_point_id', type: 'VARCHAR' },
      { name: 'energy_wh', type: 'DOUBLE' },
      { name: 'new_column', type: 'BIGINT' },
    ];
    const docs = TRANSACTION_COLUMNS.filter((doc) => doc.name === 'charge_point_id' || doc.name === 'energy_wh');
    expect(catalogGaps(described, docs)).toEqual(['energy_wh: catalog says BIGINT, the table has DOUBLE', 'new_column: no description']);
  });

  it('query transactions --help lists the columns the query returns, with their catalog descriptions', async () => {
    const described = await describe_(warehouse, `(${sqlFile(loadSqlProject(), 'reports', 'monthly_transactions').sql})`, { month: MONTH });
    expect(described.map((column) => column.name)).toEqual([...QUERY_TRANSACTIONS_COLUMNS]);
    const help = await new Promise<string>((done, fail) => {
      execFile(
        process.execPath,
        [join(PROJECT_ROOT, 'bin', 'ocpp-report.mjs'), 'query', 'transactions', '--help'],
        { cwd: PROJECT_ROOT },
        (error, stdout) => (error ? fail(error) : done(stdout)),
      );
    });
    const listed = help
      .slice(help.indexOf('Columns:'))
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '');
    expect(listed.map((line) => line.trim().split(/\s+/)[0])).toEqual([...QUERY_TRANSACTIONS_COLUMNS]);
    const energy = TRANSACTION_COLUMNS.find((doc) => doc.name === 'energy_wh')!;
    expect(listed.find((line) => line.trim().startsWith('energy_wh '))).toContain(energy.description.split('. ')[0]);
  });
});
