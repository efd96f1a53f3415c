import { type Db, queryRows, transaction } from '../db.ts';
import { CUSTOMER_COLUMNS, type ReferenceData, type ReferenceFile, TARIFF_COLUMNS } from './read.ts';

/**
 * Replaces the warehouse's tariffs and customers with the files given to this run, each in one
 * transaction. A file not given leaves its table as it is: the tariffs and customers last given
 * stay in force, as a price list does until a new one is issued. A file with only its header
 * clears them.
 */
export async function loadReferenceData(db: Db, data: ReferenceData, runId: number): Promise<void> {
  if (data.tariffs) await replaceTable(db, 'tariffs', data.tariffs, Object.keys(TARIFF_COLUMNS), runId);
  if (data.customers) await replaceTable(db, 'customers', data.customers, Object.keys(CUSTOMER_COLUMNS), runId);
}

async function replaceTable(
  db: Db,
  kind: 'tariffs' | 'customers',
  file: ReferenceFile<Record<string, unknown> & { line: number }>,
  columns: string[],
  runId: number,
): Promise<void> {
  await transaction(db, async () => {
    // text first, then one typed insert: DuckDB casts '0.35' to DECIMAL exactly (no binary float on the way)
    await db.run(`create or replace temp table reference_upload (line_no bigint, ${columns.map((c) => `${c} varchar`).join(', ')})`);
    const appender = await db.createAppender('reference_upload', 'main', 'temp');
    try {
      for (const row of file.rows) {
        appender.appendBigInt(BigInt(row.line));
        for (const column of columns) appender.appendVarchar(String(row[column]));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await db.run(`delete from ${kind}`);
    await db.run(kind === 'tariffs' ? INSERT_TARIFFS : INSERT_CUSTOMERS);
    await db.run(`delete from reference_files where kind = $kind`, { kind });
    await db.run(`insert into reference_files values ($kind, $path, $sha256, $rows, $runId, now())`, {
      kind,
      path: file.path,
      sha256: file.sha256,
      rows: file.rows.length,
      runId,
    });
    await db.run(`drop table reference_upload`);
  });
}

const INSERT_TARIFFS = `
insert into tariffs
select
    tariff_id,
    cast(valid_from as date),
    charge_point,
    currency,
    cast(price_per_kwh as decimal(18, 6)),
    cast(price_per_hour as decimal(18, 6)),
    cast(price_per_session as decimal(18, 6)),
    cast(vat_percent as decimal(7, 4)),
    line_no,
from reference_upload`;

const INSERT_CUSTOMERS = `
insert into customers
select
    id_tag,
    customer_id,
    customer_name,
    line_no,
from reference_upload`;

/**
 * What the models are priced from: the fingerprints of the tariffs and customers in force. The
 * models are rebuilt when it differs from the one they were built with.
 */
export async function referenceFingerprint(db: Db): Promise<string> {
  const rows = await queryRows(db, `select kind, sha256 from reference_files where rows > 0 order by kind`);
  return rows.map((row) => `${row.kind}:${row.sha256}`).join(' ');
}
