import { createHash } from 'node:crypto';
import type { Db } from '../db.ts';
import { queryJsonRows, queryRows } from '../db.ts';
import { ensureParsedTable } from '../ingest/parse.ts';
import type { Logger } from '../log.ts';
import { buildOrder, loadSqlProject, RAW_TABLES, type SqlFile } from './project.ts';

export interface ModelRunOptions {
  reportTimezone: string;
  logger?: Logger;
  /** Rebuild incremental models from scratch instead of processing only this run's files. */
  fullRefresh?: boolean;
  /**
   * Lines that were loaded before were replaced (`--reload`): a model with a unique_key cannot
   * tell which of its rows came from lines that are gone, so it is rebuilt in full.
   */
  linesReplaced?: boolean;
  /** Build only these models (a live run); the others are left as they are. */
  only?: Set<string>;
}

export interface AuditFailure {
  audit: string;
  rows: number;
  sample: Record<string, unknown>[];
}

/**
 * Settings the models read through getvariable(): bound, never spliced into SQL text. Stored in
 * the warehouse too, so queries later see the time zone the marts were built with.
 */
export async function setModelVariables(db: Db, options: ModelRunOptions): Promise<void> {
  await db.run(`set variable report_timezone = $tz`, { tz: options.reportTimezone });
  await db.run(LOCAL_MIDNIGHT_MACRO);
}

/**
 * `local_midnight_at(local_date)`: the first instant of a day in the report time zone, for the
 * models and reports that bound a day by instants (fct_charge_point_days, sql/reports/html_*.sql).
 * Where clocks go back at midnight (America/Havana, 1 November 2026), midnight comes twice and
 * timezone() picks the second: the day begins at the first, a fold earlier (folds last 30
 * minutes to 3 hours). A midnight the clocks skip is the instant the day begins, as timezone()
 * gives it. A temporary macro: tables and queries call it, never a view (a stored view must not
 * depend on a connection's macro).
 */
const LOCAL_MIDNIGHT_MACRO = `
  create or replace temp macro local_midnight_at(local_date) as
      timezone(getvariable('report_timezone'), cast(local_date as timestamp)) - coalesce(
          list_filter(
              [interval 3 hour, interval 2 hour, interval 1 hour, interval 30 minute],
              fold -> (timezone(getvariable('report_timezone'), cast(local_date as timestamp)) - fold)
                  at time zone getvariable('report_timezone') = cast(local_date as timestamp)
          )[1],
          interval 0 second
      )`;

/**
 * Builds every model, upstream first; each becomes a table (or view) named after its file.
 * An incremental model processes only the files in run_changed_files: their old rows are deleted
 * and the model's own SQL (which filters on getvariable('is_incremental')) inserts the new ones.
 * It is rebuilt in full when asked, when it does not exist yet, or when its SQL has changed.
 */
export async function runModels(
  db: Db,
  options: ModelRunOptions,
  /** Steps that run right after the named model is built (e.g. payload validation after parsing). */
  afterModel: Record<string, () => Promise<unknown>> = {},
  files: SqlFile[] = loadSqlProject(),
): Promise<string[]> {
  await setModelVariables(db, options);
  await setChangedLineVariables(db, false);
  await db.run(`create table if not exists model_state (model varchar not null, sql_sha256 varchar not null)`);
  const built: string[] = [];
  for (const model of buildOrder(files)) {
    if (options.only && !options.only.has(model.name)) continue;
    // built by the loader as it reads the files; what follows it (validation, the span of the new
    // lines' log times) still runs here
    if (model.materialized === 'ingest') {
      // a warehouse no run has loaded yet still gets the (empty) table the models read
      await ensureParsedTable(db, { createOnly: true });
      await setChangedLineVariables(db, true);
      await afterModel[model.name]?.();
      continue;
    }
    try {
      const started = performance.now();
      const mode = await buildModel(db, model, (options.fullRefresh ?? false) || ((options.linesReplaced ?? false) && !isPerLine(model)));
      options.logger?.event('model', { model: model.name, mode, duration_ms: Math.round(performance.now() - started) });
    } catch (error) {
      throw new Error(`model ${model.layer}/${model.name} failed: ${(error as Error).message}`);
    }
    built.push(model.name);
    if (model.name === 'base_ocpp__lines') await setChangedLineVariables(db, true);
    if (model.name === 'int_run_touched_transactions') await setTouchedSamplesVariable(db);
    await afterModel[model.name]?.();
  }
  return built;
}

/**
 * A model whose rows each come from one line alone (the parse and what it unpacks): replacing a
 * file's lines changes that file's rows only. Every other incremental model may hold rows that
 * depend on other files' lines (a duplicate, a pairing, a total), so it is rebuilt in full then.
 */
const PER_LINE_READS = new Set(['landing_lines', 'run_changed_files', 'base_ocpp__lines']);
function isPerLine(model: SqlFile): boolean {
  return model.uniqueKey === undefined && model.reads.every((name) => PER_LINE_READS.has(name));
}

/**
 * Constants an incremental model filters on before anything else, so DuckDB skips the row groups
 * of older data instead of joining all history to run_changed_files: the first changed file id,
 * and (once the new lines are parsed) the span of their log times. Each model still applies its
 * exact condition (the file's from_line_no) on what is left.
 */
async function setChangedLineVariables(db: Db, parsed: boolean): Promise<void> {
  await defineRunLineMacro(db);
  const [present] = await queryRows(db, `select count(*) as tables from duckdb_tables() where table_name = 'run_changed_files'`);
  if (Number(present!.tables) === 0) return;
  await db.run(`set variable first_changed_file_id = (select coalesce(min(file_id), 9223372036854775807) from run_changed_files)`);
  if (!parsed) return;
  await db.run(
    `set variable new_lines_first_logged_at = (
       select min(logged_at) from base_ocpp__lines semi join run_changed_files
           on base_ocpp__lines.file_id = run_changed_files.file_id and base_ocpp__lines.line_no >= run_changed_files.from_line_no
       where base_ocpp__lines.file_id >= getvariable('first_changed_file_id'))`,
  );
  await db.run(
    `set variable new_lines_last_logged_at = (
       select max(logged_at) from base_ocpp__lines semi join run_changed_files
           on base_ocpp__lines.file_id = run_changed_files.file_id and base_ocpp__lines.line_no >= run_changed_files.from_line_no
       where base_ocpp__lines.file_id >= getvariable('first_changed_file_id'))`,
  );
}

/**
 * The earliest log time from which a changed start can move samples onto itself (the least
 * samples_from_logged_at of int_run_touched_transactions), as a constant int_meter_samples bounds
 * its search with; unset (no bound) until that table is built in the run, and with nothing to move.
 */
async function setTouchedSamplesVariable(db: Db): Promise<void> {
  await db.run(
    `set variable touched_samples_from_logged_at = (
       select coalesce(min(samples_from_logged_at), 'infinity'::timestamptz) from int_run_touched_transactions)`,
  );
}

/**
 * `is_run_line(file_id, line_no)`: the line is one this run models (a live run's appended lines, a
 * nightly run's whole pending files). The constant bound comes first so DuckDB skips the row
 * groups of older files. A temporary macro, for the models a run builds: a view must not call it,
 * because run_changed_files exists only in a run's session. The subquery renames its columns so
 * that an argument spelled `file_id` binds to the caller's row, not to run_changed_files.
 */
async function defineRunLineMacro(db: Db): Promise<void> {
  await db.run(
    `create or replace temp macro is_run_line(line_file_id, line_line_no) as
         line_file_id >= getvariable('first_changed_file_id')
         and line_file_id in (select run_changed_files.file_id from run_changed_files)
         and line_line_no >= (
             select changed.changed_from_line_no
             from (
                 select run_changed_files.file_id as changed_file_id, run_changed_files.from_line_no as changed_from_line_no
                 from run_changed_files
             ) as changed
             where changed.changed_file_id = line_file_id
         )`,
  );
}

/** A model that changed from table to view (or back) must first lose its old kind of object. */
async function dropIfOtherKind(db: Db, model: SqlFile): Promise<void> {
  const [existing] = await queryRows(db, `select table_type from information_schema.tables where table_name = $name`, {
    name: model.name,
  });
  if (!existing) return;
  const isView = existing.table_type === 'VIEW';
  if (isView && model.materialized !== 'view') await db.run(`drop view ${model.name}`);
  if (!isView && model.materialized === 'view') await db.run(`drop table ${model.name}`);
}

async function buildModel(db: Db, model: SqlFile, fullRefresh: boolean): Promise<'table' | 'view' | 'full' | 'incremental'> {
  await dropIfOtherKind(db, model);
  if (model.materialized === 'view') {
    await db.run(`create or replace view ${model.name} as\n${model.sql}`);
    return 'view';
  }
  if (model.materialized === 'table') {
    await db.run(`create or replace table ${model.name} as\n${model.sql}`);
    return 'table';
  }
  const sqlHash = createHash('sha256').update(model.sql).digest('hex');
  const [state] = await queryRows(
    db,
    `select sql_sha256, (select count(*) from duckdb_tables() where table_name = $name) as exists
     from (select $name as model) as wanted
     left join model_state using (model)`,
    { name: model.name },
  );
  const incremental = !fullRefresh && Number(state?.exists) > 0 && state?.sql_sha256 === sqlHash;
  await db.run(`set variable is_incremental = $incremental`, { incremental });
  // int_meter_samples (a view) narrows what it reads while this is true: never leave it set
  try {
    if (incremental && model.uniqueKey) {
      const key = model.uniqueKey;
      await db.run(`create or replace temp table incremental_rows as\n${model.sql}`);
      // the rows with a key the run rebuilt, and with a key it touched (which may yield no row now)
      for (const keys of model.touchedKeys ? ['incremental_rows', model.touchedKeys] : ['incremental_rows']) {
        const sameKey = key.map((column) => `${model.name}.${column} = ${keys}.${column}`).join(' and ');
        await db.run(`delete from ${model.name} using ${keys} where ${sameKey}`);
      }
      await db.run(`insert into ${model.name} select * from incremental_rows`);
      await db.run(`drop table incremental_rows`);
    } else if (incremental) {
      // the lines the run models: a live run's appended lines, a nightly run's whole pending files
      await db.run(
        `delete from ${model.name} using run_changed_files
         where ${model.name}.file_id = run_changed_files.file_id and ${model.name}.line_no >= run_changed_files.from_line_no`,
      );
      await db.run(`insert into ${model.name}\n${model.sql}`);
    } else {
      await db.run(`create or replace table ${model.name} as\n${model.sql}`);
      await db.run(`delete from model_state where model = $name`, { name: model.name });
      await db.run(`insert into model_state values ($name, $hash)`, { name: model.name, hash: sqlHash });
    }
  } finally {
    // after a failed build the run fails with that build's error, which a failing reset must not hide
    await db.run(`set variable is_incremental = false`).catch(() => undefined);
  }
  return incremental ? 'incremental' : 'full';
}

/**
 * Runs every audit (with `only`, those that read nothing but these models and raw tables); an
 * audit passes when it returns no rows.
 */
export async function runAudits(db: Db, files: SqlFile[] = loadSqlProject(), only?: Set<string>): Promise<AuditFailure[]> {
  const failures: AuditFailure[] = [];
  const raw = new Set<string>(RAW_TABLES);
  const audits = files.filter((file) => file.layer === 'audits' && (!only || file.reads.every((name) => only.has(name) || raw.has(name))));
  for (const audit of audits) {
    const rows = await queryJsonRows(db, `select * from (\n${audit.sql}\n) limit 1000`);
    if (rows.length > 0) failures.push({ audit: audit.name, rows: rows.length, sample: rows.slice(0, 5) });
  }
  return failures;
}
