import { createHash } from 'node:crypto';
import type { Db } from '../db.ts';
import { queryRows, transaction } from '../db.ts';
import { loadSqlProject, sqlFile } from '../models/project.ts';
import { PAYLOAD_SHAPES } from './payload-shapes.ts';

/**
 * The parse (sql/staging/base/base_ocpp__lines.sql), run by the loader as it reads each landing
 * file: the model's SQL reads `landing_lines`, a temporary view this module points at the lines
 * of one file. Temporary views and variables belong to a connection, so files parse side by side
 * on sibling connections.
 */
const PARSED_TABLE = 'base_ocpp__lines';

/** Longest line DuckDB's reader is asked to take: longer limits go through readLines. */
export const BULK_MAX_LINE_BYTES = 8 * 1024 * 1024;

let parseSqlText: string | undefined;
/** The parse's SQL, read once per process: the loader runs it for every file. */
function parseSql(): string {
  parseSqlText ??= sqlFile(loadSqlProject(), 'staging', PARSED_TABLE).sql;
  return parseSqlText;
}

export function parseSqlHash(): string {
  return createHash('sha256').update(parseSql()).digest('hex');
}

/** Sets what the parse reads on a connection: the payload shapes (bound values, not SQL text). */
export async function prepareParseConnection(db: Db): Promise<void> {
  for (const [name, pattern] of Object.entries(PAYLOAD_SHAPES)) {
    // the variable name is ours (a constant of payload-shapes.ts); only the pattern is a value
    await db.run(`set variable ${name} = $pattern`, { pattern });
  }
}

/**
 * From this size on, a file's numbered lines are first read into a temporary table (outside the
 * file's transaction: DuckDB scans rows a transaction has not committed on one thread), so that
 * their parse runs on every thread: the streaming row_number() keeps the whole pipeline it is in
 * on one. Smaller files parse in one pass, side by side on the loader's connections. Measured on
 * one 0.97 GB file: 36 s in one pass, 23 s staged inside the transaction, 17 s staged before it.
 */
export const PARALLEL_PARSE_MIN_BYTES = 64 * 1024 * 1024;

export type LineSource =
  /**
   * The whole landing file, read by DuckDB; line numbers from 1. staged: its numbered lines are in
   * the temporary table stageLandingFile made (a big file; see PARALLEL_PARSE_MIN_BYTES).
   */
  | { kind: 'file'; fileId: number; path: string; staged?: boolean }
  /** Lines the loader read itself into raw_lines, from this line number on. */
  | { kind: 'buffer'; fileId: number; fromLineNo: number };

/** Parses the lines of one source into base_ocpp__lines (inside the caller's transaction). */
export async function parseLines(db: Db, source: LineSource): Promise<void> {
  await pointLandingLinesAt(db, source);
  await db.run(`insert into ${PARSED_TABLE}\n${parseSql()}`);
}

/** The lines of the file at getvariable('landing_path'), numbered from 1 in file order. */
const LANDING_FILE_LINES = `
    select
        getvariable('landing_file_id')::bigint as file_id,
        -- a single-threaded scan (the streaming row_number() makes it one) yields lines in file
        -- order, so row_number() is the line number; the loader proves it for each file after
        row_number() over () as line_no,
        line as raw_line,
    from read_csv(
        getvariable('landing_path'),
        columns = {'line': 'varchar'},
        delim = chr(1),
        quote = '',
        escape = '',
        comment = '',
        header = false,
        auto_detect = false,
        new_line = '\\n',
        max_line_size = ${BULK_MAX_LINE_BYTES + 2},
        buffer_size = ${2 * BULK_MAX_LINE_BYTES + 4}
    )`;

/**
 * Reads a big file's numbered lines into a temporary table, for parseLines with `staged`. Run it
 * outside a transaction, so that the parse reads committed rows on every thread.
 */
export async function stageLandingFile(db: Db, fileId: number, path: string): Promise<void> {
  await db.run(`set variable landing_file_id = $fileId`, { fileId });
  await db.run(`set variable landing_path = $path`, { path });
  await db.run(`create or replace temp table staged_landing_lines as ${LANDING_FILE_LINES}`);
}

export async function dropStagedLandingFile(db: Db): Promise<void> {
  await db.run(`drop table if exists staged_landing_lines`);
}

async function pointLandingLinesAt(db: Db, source: LineSource): Promise<void> {
  await db.run(`set variable landing_file_id = $fileId`, { fileId: source.fileId });
  if (source.kind === 'file' && source.staged) {
    await db.run(`create or replace temp view landing_lines as select file_id, line_no, raw_line from staged_landing_lines`);
  } else if (source.kind === 'file') {
    await db.run(`set variable landing_path = $path`, { path: source.path });
    await db.run(`create or replace temp view landing_lines as ${LANDING_FILE_LINES}`);
  } else {
    await db.run(`set variable landing_from_line_no = $fromLineNo`, { fromLineNo: source.fromLineNo });
    await db.run(
      `create or replace temp view landing_lines as
       select file_id, line_no, raw_line
       from raw_lines
       where file_id = getvariable('landing_file_id') and line_no >= getvariable('landing_from_line_no')`,
    );
  }
}

/**
 * Makes sure base_ocpp__lines has the columns the parse writes. True when the parse's SQL is not
 * the one the table was filled with: every landing file still there must then be read again.
 * Rows of files that will not be (gone from the landing, changed) keep what they were parsed
 * into; a new column is null for them, except the MeterValues readings, which are unpacked from
 * the payload such a row kept (unpackKeptMeterValues). With createOnly (a run that reads no landing file), a
 * missing table is created and an existing one left as it is, for the next loading run.
 */
export async function ensureParsedTable(db: Db, options: { createOnly?: boolean } = {}): Promise<{ stale: boolean }> {
  await db.run(`create table if not exists model_state (model varchar not null, sql_sha256 varchar not null)`);
  await pointLandingLinesAtNothing(db);
  const [exists] = await queryRows(db, `select count(*) as n from duckdb_tables() where table_name = $name`, { name: PARSED_TABLE });
  if (Number(exists!.n) === 0) {
    await db.run(`create table ${PARSED_TABLE} as select * from (${parseSql()}) limit 0`);
    // files already loaded (a table lost to a crash or dropped by hand) are read again
    const [manifest] = await queryRows(db, `select count(*) as n from duckdb_tables() where table_name = 'landing_files'`);
    const [loaded] = Number(manifest!.n) > 0 ? await queryRows(db, `select count(*) as n from landing_files where status = 'loaded'`) : [];
    if (Number(loaded?.n ?? 0) > 0) return { stale: true };
    await recordParseSql(db);
    return { stale: false };
  }
  if (options.createOnly) return { stale: false };
  const wanted = await columnsOf(db, `select * from (${parseSql()}) limit 0`);
  const present = await columnsOf(db, `select * from ${PARSED_TABLE} limit 0`);
  if (JSON.stringify(present) !== JSON.stringify(wanted)) {
    const kept = present.filter(([name]) => wanted.some(([other]) => other === name)).map(([name]) => name);
    // one transaction: a run killed half way leaves the old table, never none
    await transaction(db, async () => {
      await db.run(`create or replace table ${PARSED_TABLE}_next as select * from (${parseSql()}) limit 0`);
      await db.run(`insert into ${PARSED_TABLE}_next by name select ${kept.join(', ')} from ${PARSED_TABLE}`);
      if (!kept.includes('meter_values')) await unpackKeptMeterValues(db, `${PARSED_TABLE}_next`);
      await db.run(`drop table ${PARSED_TABLE}`);
      await db.run(`alter table ${PARSED_TABLE}_next rename to ${PARSED_TABLE}`);
    });
  }
  const [state] = await queryRows(db, `select sql_sha256 from model_state where model = $name`, { name: PARSED_TABLE });
  return { stale: state?.sql_sha256 !== parseSqlHash() };
}

/**
 * Rows of an earlier parse, which kept every payload as text and no typed readings: their
 * MeterValues readings are unpacked from the payload they kept, by the parse's own SQL reading
 * each payload again as the CALL it came in. Files still in the landing are parsed anew anyway;
 * this is for those that have gone, whose samples (and the facts built on them) would otherwise
 * be lost.
 */
async function unpackKeptMeterValues(db: Db, table: string): Promise<void> {
  // the table name is ours (a constant of this module), never input
  await db.run(
    `create or replace temp view landing_lines as
     select
         file_id,
         line_no,
         json_object(
             'charge_point_id', charge_point_id,
             'received_at', strftime(logged_at, '%Y-%m-%dT%H:%M:%S.%fZ'),
             'action', action,
             'frame', json_array(2, unique_id, action, payload)
         )::varchar as raw_line,
     from ${table}
     where meter_values is null and rejection_reason is null and message_type_id = 2 and action = 'MeterValues' and payload is not null`,
  );
  await db.run(
    `update ${table} set meter_values = unpacked.meter_values
     from (${parseSql()}) as unpacked
     where ${table}.file_id = unpacked.file_id and ${table}.line_no = unpacked.line_no`,
  );
  await pointLandingLinesAtNothing(db);
}

/** An empty landing_lines: what the parse's SQL reads when no file is being read (its columns only). */
async function pointLandingLinesAtNothing(db: Db): Promise<void> {
  await db.run(
    `create or replace temp view landing_lines as
     select null::bigint as file_id, null::bigint as line_no, null::varchar as raw_line where false`,
  );
}

/** Records that base_ocpp__lines holds what the current parse SQL gives. */
export async function recordParseSql(db: Db): Promise<void> {
  await db.run(`delete from model_state where model = $name`, { name: PARSED_TABLE });
  await db.run(`insert into model_state values ($name, $hash)`, { name: PARSED_TABLE, hash: parseSqlHash() });
}

async function columnsOf(db: Db, sql: string): Promise<[string, string][]> {
  const reader = await db.runAndReadAll(sql);
  return reader.columnNames().map((name, index) => [name, String(reader.columnTypes()[index])]);
}
