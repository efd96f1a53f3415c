import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { DATASETS } from './catalog/columns.ts';
import type { Db } from './db.ts';
import { NIGHTLY_MEMORY_LIMIT, queryRows, withWarehouse } from './db.ts';
import { CliError, EXIT } from './errors.ts';
import { removeStaleTemporaries } from './export/atomic.ts';
import { datasetFilePath } from './export/dataset-paths.ts';
import { workbookPath } from './export/excel.ts';
import { exportHtmlIndex } from './export/html.ts';
import { exportMonth } from './export/month.ts';
import { exportRunDatasets } from './export/parquet.ts';
import { writeStatusPage } from './export/status.ts';
import { type FileLoadResult, loadLanding } from './ingest/load.ts';
import { ensureRawLayer } from './ingest/schema.ts';
import { validateNewPayloads } from './ingest/validate-payloads.ts';
import { withLock } from './lock.ts';
import { type Logger, silentLogger } from './log.ts';
import { loadSqlProject, type SqlFile, sqlFile } from './models/project.ts';
import { runAudits, runModels, setModelVariables } from './models/run-models.ts';
import { loadReferenceData, referenceFingerprint } from './reference/load.ts';
import { type ReferenceData, readReferenceData } from './reference/read.ts';

const DAY_FILE_DATASETS = DATASETS.filter((dataset) => dataset.filesPerDay).map((dataset) => dataset.name);

export interface NightlyOptions {
  landing: string;
  warehouse: string;
  out: string;
  months: string[];
  timezone: string;
  maxLineBytes?: number;
  /** Seconds after its last change before a file's unterminated last line is loaded (default 0). */
  settleSeconds?: number;
  /** Landing files to load again from scratch although their loaded bytes changed. */
  reload?: string[];
  /** Rebuild every model and export every month, not only what this run's data touched. */
  fullRefresh?: boolean;
  /** Only say which files would be loaded; change nothing. */
  dryRun?: boolean;
  /**
   * The micro-batch: load the new lines, bring up to date only the models the operator questions
   * read (LIVE_MODELS and what they read), write the live outputs, and leave every month's reports
   * to the nightly run.
   */
  live?: boolean;
  /** Write the HTML reports and their index (default true). */
  html?: boolean;
  /** Also write each month's Transactions sheet as CSV beside the workbook. */
  csv?: boolean;
  /** Tariffs CSV replacing the tariffs in force (README: Finance reference files). */
  tariffs?: string;
  /** Customers CSV replacing the customers in force. */
  customers?: string;
  /** The moment the status page describes (default: now). */
  asOf?: Date;
  logger?: Logger;
}

export interface NightlySummary {
  runId: number;
  files: { loaded: number; appended: number; skipped: number; changed: number; rejected: number; missing: number };
  /** Files that were rejected or changed, with the reason. */
  rejectedFiles: { path: string; error: string }[];
  lines: { read: number; loaded: number; quarantined: number; blank: number };
  months: string[];
  outputs: string[];
  /** With dryRun: what each file would get. */
  plannedFiles?: { path: string; action: FileLoadResult['outcome'] | 'reparsed' }[];
}

/** The nightly job: load new landing files, rebuild the models, audit, export every month. */
export async function runNightly(options: NightlyOptions): Promise<NightlySummary> {
  if (!existsSync(options.landing)) throw new CliError(`landing directory ${options.landing} does not exist`, EXIT.usage);
  // validated in full before the lock is taken or the warehouse opened: a bad row writes nothing
  const reference = readReferenceData(options);
  return withLock(`${options.warehouse}.lock`, () =>
    withWarehouse(
      options.warehouse,
      async (db) => {
        await ensureRawLayer(db);
        if (options.dryRun) return planOnly(db, options);
        const runId = await startRun(db, options.live ? 'live' : 'nightly');
        try {
          const summary = options.live ? await runLiveSteps(db, runId, options, reference) : await runSteps(db, runId, options, reference);
          await finishRun(db, runId, 'succeeded', summary, null);
          return summary;
        } catch (error) {
          await finishRun(db, runId, 'failed', null, (error as Error).message);
          throw error;
        }
      },
      { memoryLimit: NIGHTLY_MEMORY_LIMIT },
    ),
  );
}

async function runSteps(db: Db, runId: number, options: NightlyOptions, reference: ReferenceData): Promise<NightlySummary> {
  const log = options.logger ?? silentLogger;
  const removed = await removeStaleTemporaries(options.out);
  if (removed > 0) log.event('removed_stale_temporaries', { files: removed });
  if (reference.tariffs || reference.customers) {
    await loadReferenceData(db, reference, runId);
    log.event('reference_data', {
      ...(reference.tariffs ? { tariffs: reference.tariffs.rows.length } : {}),
      ...(reference.customers ? { customers: reference.customers.rows.length } : {}),
    });
  }
  const loads = await loadNewLines(db, runId, options, log);
  // files parsed anew (a changed parse SQL): every model is rebuilt from the new parse
  if (!options.fullRefresh && loads.some((load) => load.reparsed)) options = { ...options, fullRefresh: true };
  await recordChangedFiles(db, loads, 'nightly');
  const linesReplaced = await linesMayHaveBeenReplaced(db, loads, 'nightly');
  if (await modelsAreCurrent(db, options)) {
    // A micro-batch with nothing new: the models already hold every loaded line in this time zone.
    // The report queries still read the time zone (a session variable): without it, every
    // date-time of a workbook written now (e.g. --month) would be empty.
    await setModelVariables(db, { reportTimezone: options.timezone });
    log.event('models_current', {});
  } else {
    const repricing = await snapshotBillingIfRepricing(db);
    await buildModels(db, options, log, linesReplaced);
    if (repricing) await recordRepricedMonths(db, runId);
  }
  await auditOrFail(db, log);
  const plan = await exportPlan(db, options, linesReplaced);
  const months = plan.map((entry) => entry.month);
  const outputs: string[] = [];
  for (const { month, days } of plan) {
    outputs.push(
      ...(await log.step(
        'export_month',
        () =>
          exportMonthAndRecord(db, options.out, { month, timezone: options.timezone, runId, html: options.html, csv: options.csv, days }),
        () => ({ month, ...(days ? { days: days.length } : {}) }),
      )),
    );
  }
  // The whole-network files change only when data or months did: a run with nothing new rewrites nothing.
  const anythingNew = months.length > 0 || loads.some((load) => load.fileId !== undefined) || options.fullRefresh;
  if (anythingNew || !existsSync(join(options.out, 'parquet', 'README.md'))) {
    outputs.push(...(await exportRunDatasets(db, options.out, { timezone: options.timezone, runId })));
  }
  if (options.html !== false && (anythingNew || !existsSync(join(options.out, 'html', 'index.html')))) {
    outputs.push(await exportHtmlIndex(options.out));
  }
  // exported now: a repriced month waits no longer (one not exported, e.g. outside --month, still does)
  await db.run(`delete from repriced_months where list_contains($months, month)`, { months: listValue(months) }, { months: LIST(VARCHAR) });
  if (options.html !== false) outputs.push(await writeStatusPage(db, { ...options, runId }));
  const totals = await lineTotals(db, loads);
  // Everything loaded so far is now modelled and exported: nothing is pending any more.
  await db.run(
    `update landing_files set pending_since_run = null, live_lines_modelled = null
     where pending_since_run is not null or live_lines_modelled is not null`,
  );
  await db.run(`delete from live_state`);
  return { runId, ...totals, months, outputs };
}

/**
 * The models a micro-batch keeps current: what the operator questions read (`query active`,
 * `query dispense`, `query last-seen`; trace them with `ocpp-report lineage --model <report>`).
 * Everything they read is built too; the other marts wait for the nightly run.
 */
export const LIVE_MODELS = [
  'base_ocpp__messages',
  'stg_ocpp__status_notifications',
  'int_transactions',
  'dim_charge_points',
  'fct_transactions',
];

/** The models built by a live run: LIVE_MODELS and everything they read. */
export function liveModelNames(files: SqlFile[] = loadSqlProject()): Set<string> {
  const byName = new Map(files.filter((file) => file.layer !== 'reports' && file.layer !== 'audits').map((file) => [file.name, file]));
  const names = new Set<string>();
  const visit = (name: string) => {
    const model = byName.get(name);
    if (!model || names.has(name)) return;
    names.add(name);
    for (const upstream of model.reads) visit(upstream);
  };
  for (const name of LIVE_MODELS) visit(name);
  return names;
}

/**
 * The micro-batch (`run --live`): load the new lines, bring the live models up to date, audit
 * them, write the live outputs. Month reports, the whole-network datasets and the HTML index are
 * left exactly as they are: the next nightly run models every line since the last nightly run
 * (live runs' too) and writes them, as it would have without the live runs in between.
 */
async function runLiveSteps(db: Db, runId: number, options: NightlyOptions, reference: ReferenceData): Promise<NightlySummary> {
  const log = options.logger ?? silentLogger;
  if (reference.tariffs || reference.customers) {
    await loadReferenceData(db, reference, runId);
    log.event('reference_data', {
      ...(reference.tariffs ? { tariffs: reference.tariffs.rows.length } : {}),
      ...(reference.customers ? { customers: reference.customers.rows.length } : {}),
    });
  }
  const loads = await loadNewLines(db, runId, options, log);
  if (!options.fullRefresh && loads.some((load) => load.reparsed)) options = { ...options, fullRefresh: true };
  await recordChangedFiles(db, loads, 'live');
  const linesReplaced = await linesMayHaveBeenReplaced(db, loads, 'live');
  // The nightly run's own models cannot tell either: it rebuilds them in full.
  if (linesReplaced) await db.run(`insert into live_state select 'lines_replaced' where not exists (from live_state)`);
  const live = liveModelNames();
  if (await modelsAreCurrent(db, options)) {
    log.event('models_current', {});
  } else {
    const repriced = await referenceChanged(db);
    await log.step('models', () =>
      runModels(
        db,
        {
          reportTimezone: options.timezone,
          logger: log,
          fullRefresh: options.fullRefresh || repriced,
          linesReplaced,
          only: live,
        },
        {
          base_ocpp__lines: () =>
            log.step(
              'validate_payloads',
              () => validateNewPayloads(db),
              (counts) => ({ ...counts }),
            ),
        },
      ),
    );
  }
  await auditOrFail(db, log, live);
  const outputs = await log.step(
    'write_live_outputs',
    () => writeLiveOutputs(db, options, runId),
    (written) => ({ outputs: written.length }),
  );
  const totals = await lineTotals(db, loads, 'live');
  // The live models now hold every loaded line; the nightly run still has to model and export them.
  await db.run(`update landing_files set live_lines_modelled = lines_read where pending_since_run is not null`);
  return { runId, ...totals, months: [], outputs };
}

/** What a micro-batch writes from the live models: the status page (unless --no-html). */
async function writeLiveOutputs(db: Db, options: NightlyOptions, runId: number): Promise<string[]> {
  return options.html !== false ? [await writeStatusPage(db, { ...options, runId })] : [];
}

/**
 * True when the tariffs or customers in force differ from those the models were built with: the
 * incremental marts would price only the transactions a run touches, so they are rebuilt in full.
 */
async function referenceChanged(db: Db): Promise<boolean> {
  const [built] = await queryRows(db, `select count(*) as n from information_schema.tables where table_name = 'model_build'`);
  if (Number(built!.n) === 0) return false;
  const [state] = await queryRows(db, `select * from model_build`);
  return (state?.reference_sha256 ?? null) !== (await referenceFingerprint(db));
}

async function loadNewLines(db: Db, runId: number, options: NightlyOptions, log: Logger): Promise<FileLoadResult[]> {
  // which files were already pending (a killed run, or live runs since the last nightly run), as
  // this run's load is about to mark its own files pending too
  await db.run(
    `create or replace temp table pending_before_run as
     select file_id, live_lines_modelled from landing_files where pending_since_run is not null`,
  );
  return log.step(
    'load',
    () =>
      loadLanding(db, options.landing, {
        runId,
        maxLineBytes: options.maxLineBytes,
        settleSeconds: options.settleSeconds,
        reload: options.reload,
        rereadAll: options.fullRefresh,
        onProgress: log.progress,
      }),
    (results) => ({
      files_read: results.filter((result) => result.fileId !== undefined).length,
      lines_read: results.reduce((sum, result) => sum + result.linesRead, 0),
    }),
  );
}

/** Runs the audits of the models this run built; a failing audit fails the run (exit 1). */
async function auditOrFail(db: Db, log: Logger, only?: Set<string>): Promise<void> {
  const failures = await log.step(
    'audits',
    () => runAudits(db, loadSqlProject(), only),
    (found) => ({ failed: found.map((failure) => failure.audit) }),
  );
  if (failures.length > 0) {
    const names = failures.map((failure) => `${failure.audit} (${failure.rows} row${failure.rows === 1 ? '' : 's'})`);
    throw new CliError(`audit failed: ${names.join(', ')}`, EXIT.dataFailure);
  }
}

async function buildModels(db: Db, options: NightlyOptions, log: Logger, linesReplaced: boolean): Promise<void> {
  const repriced = await referenceChanged(db);
  await log.step('models', () =>
    runModels(
      db,
      { reportTimezone: options.timezone, logger: log, fullRefresh: options.fullRefresh || repriced, linesReplaced },
      {
        base_ocpp__lines: () =>
          log.step(
            'validate_payloads',
            () => validateNewPayloads(db),
            (counts) => ({ ...counts }),
          ),
      },
    ),
  );
  await db.run(
    `create or replace table model_build as
     select $timezone as timezone, $sqlHash as sql_sha256, $reference as reference_sha256`,
    { timezone: options.timezone, sqlHash: modelsSqlHash(), reference: await referenceFingerprint(db) },
  );
}

/**
 * `export --tariffs/--customers`: replaces the reference data and reprices the warehouse without
 * loading landing files. The months whose transactions changed are recorded in repriced_months,
 * so the next run rewrites their workbooks too.
 */
export async function applyReferenceData(
  db: Db,
  reference: ReferenceData,
  options: { timezone: string; runId: number; logger?: Logger },
): Promise<void> {
  const [built] = await queryRows(db, `select count(*) as n from information_schema.tables where table_name = 'model_build'`);
  const [state] = Number(built!.n) > 0 ? await queryRows(db, `select timezone from model_build`) : [];
  if (state && state.timezone !== options.timezone) {
    throw new CliError(
      `the warehouse was built with --timezone ${state.timezone}: pass the same, or reprice with \`ocpp-report run\``,
      EXIT.usage,
    );
  }
  await loadReferenceData(db, reference, options.runId);
  // no landing file is read: the incremental models have nothing new to process
  await db.run(`create or replace temp table run_changed_files (file_id bigint, first_line_no bigint, from_line_no bigint)`);
  await db.run(`create or replace temp table run_read_files (file_id bigint, first_line_no bigint)`);
  const repricing = await snapshotBillingIfRepricing(db);
  await buildModels(db, { timezone: options.timezone } as NightlyOptions, options.logger ?? silentLogger, false);
  if (repricing) await recordRepricedMonths(db, options.runId);
}

/** The columns tariffs and customers decide, per transaction: what a repricing can change. */
const BILLING_COLUMNS = `start_file_id, start_line_no, stop_file_id, stop_line_no, month,
  customer_id, customer_name, tariff_id, currency, amount_excl_vat, vat_amount, amount_incl_vat, flags`;

/**
 * When the tariffs or customers in force differ from those the models were built with, keeps the
 * billing columns of the transactions as they are, so the months whose rows change can be found
 * after the rebuild. False when nothing can be repriced (no change, or no models yet).
 */
async function snapshotBillingIfRepricing(db: Db): Promise<boolean> {
  const [columns] = await queryRows(
    db,
    `select count(*) as n from duckdb_columns() where table_name = 'fct_transactions' and column_name = 'amount_excl_vat'`,
  );
  if (Number(columns!.n) === 0) return false;
  const [built] = await queryRows(
    db,
    `select count(*) as n from duckdb_columns() where table_name = 'model_build' and column_name = 'reference_sha256'`,
  );
  const [state] = Number(built!.n) > 0 ? await queryRows(db, `select reference_sha256 from model_build`) : [];
  if ((state?.reference_sha256 ?? '') === (await referenceFingerprint(db))) return false;
  await db.run(`create or replace temp table billing_before as select ${BILLING_COLUMNS} from fct_transactions`);
  return true;
}

/** The months with a transaction whose customer, tariff, amounts or flags the repricing changed. */
async function recordRepricedMonths(db: Db, runId: number): Promise<void> {
  await db.run(
    `insert into repriced_months
     select distinct month, $runId
     from (
         (select ${BILLING_COLUMNS} from billing_before except all select ${BILLING_COLUMNS} from fct_transactions)
         union all
         (select ${BILLING_COLUMNS} from fct_transactions except all select ${BILLING_COLUMNS} from billing_before)
     )
     where month is not null and month not in (select month from repriced_months)`,
    { runId },
  );
  await db.run(`drop table billing_before`);
}

/**
 * True when this run replaced loaded lines (--reload), or when a killed run left lines that no
 * later run modelled: whether that run replaced lines is not known, so the models that need to
 * know are rebuilt. A live run that had to rebuild leaves the same verdict to the nightly run.
 */
async function linesMayHaveBeenReplaced(db: Db, loads: FileLoadResult[], mode: RunMode): Promise<boolean> {
  if (loads.some((load) => load.replaced || load.reparsed)) return true;
  const [left] = await queryRows(
    db,
    mode === 'live'
      ? `select count(*) as files from run_changed_files where from_line_no < first_line_no`
      : `select count(*) + (select count(*) from live_state) as files
         from run_changed_files
         inner join pending_before_run using (file_id)
         where coalesce(pending_before_run.live_lines_modelled, -1) < run_changed_files.first_line_no - 1`,
  );
  return Number(left!.files) > 0;
}

export function modelsSqlHash(): string {
  const hash = createHash('sha256');
  for (const file of loadSqlProject()) hash.update(`${file.path}\n${file.sql}\n`);
  return hash.digest('hex');
}

/**
 * True when no loaded line awaits modelling and the models were last built from the same SQL in
 * the same report time zone: rebuilding them would give the same tables.
 */
async function modelsAreCurrent(db: Db, options: NightlyOptions): Promise<boolean> {
  if (options.fullRefresh) return false;
  const [pending] = await queryRows(db, `select count(*) as files from run_changed_files`);
  if (Number(pending!.files) > 0) return false;
  const [built] = await queryRows(
    db,
    `select count(*) as tables from information_schema.tables where table_name in ('model_build', 'fct_transactions')`,
  );
  if (Number(built!.tables) < 2) return false;
  const [state] = await queryRows(db, `select * from model_build`);
  return (
    state?.timezone === options.timezone &&
    state?.sql_sha256 === modelsSqlHash() &&
    // built from other tariffs or customers (or before they existed): the billing columns are stale
    (state?.reference_sha256 ?? null) === (await referenceFingerprint(db))
  );
}

/**
 * The months to (re)write: the ones asked for; else every month after --full-refresh; else the
 * months this run's data touched, months whose reports are missing, and months last exported in
 * another time zone. Other months' files are left exactly as they are.
 */
async function monthsToExport(db: Db, options: NightlyOptions): Promise<{ months: string[]; whole: Set<string>; present: string[] }> {
  // A requested month with no transactions still gets (empty) reports: finance expects the file.
  if (options.months.length > 0) {
    const months = [...new Set(options.months)].sort();
    return { months, whole: new Set(months), present: months };
  }
  const present = (await queryRows(db, `select distinct month from fct_transactions where month is not null order by month`)).map((row) =>
    String(row.month),
  );
  if (options.fullRefresh) return { months: present, whole: new Set(present), present };
  const touched = new Set(
    (await queryRows(db, sqlFile(loadSqlProject(), 'reports', 'touched_months').sql)).map((row) => String(row.month)),
  );
  const exported = new Map(
    (await queryRows(db, `select month, timezone from exported_months`)).map((row) => [String(row.month), String(row.timezone)]),
  );
  const whole = new Set(
    present.filter(
      (month) =>
        exported.get(month) !== options.timezone ||
        !existsSync(workbookPath(options.out, month)) ||
        !existsSync(join(options.out, 'parquet', 'transactions', `month=${month}`)) ||
        // a month file from before its dataset was written per day: replace it with day files
        DAY_FILE_DATASETS.some((dataset) => existsSync(datasetFilePath(options.out, dataset, month))),
    ),
  );
  return { months: present.filter((month) => touched.has(month) || whole.has(month)), whole, present };
}

/**
 * Each month to export, with the days whose day files to write: absent for a month written whole
 * (asked for, never exported, exported in another time zone, --full-refresh, or after lines may
 * have been replaced), else the days this run's data touched in that month.
 */
async function exportPlan(db: Db, options: NightlyOptions, linesReplaced: boolean): Promise<{ month: string; days?: string[] }[]> {
  const { months, whole, present } = await monthsToExport(db, options);
  // Every month written whole (a first run, among others): no day lists to find. On the 1 GB
  // benchmark's first run, finding them unnested every sample for 2.5 s.
  const allWhole = present.every((month) => whole.has(month));
  if (options.months.length > 0 || options.fullRefresh || linesReplaced || allWhole) return months.map((month) => ({ month }));
  const touchedDays = (await queryRows(db, sqlFile(loadSqlProject(), 'reports', 'touched_sample_days').sql)).map((row) => String(row.day));
  // a late sample can belong to a month nothing else of this run touched
  const sampled = present.filter((month) => touchedDays.some((day) => day.startsWith(`${month}-`)));
  const plan: { month: string; days?: string[] }[] = [];
  for (const month of [...new Set([...months, ...sampled])].sort()) {
    if (whole.has(month)) {
      plan.push({ month });
      continue;
    }
    const days = touchedDays.filter((day) => day.startsWith(`${month}-`));
    // A month touched only by lines that changed none of its rows keeps its files as they are.
    if (days.length === 0 && (await storedFingerprint(db, month)) === (await monthFingerprint(db, month))) continue;
    plan.push({ month, days });
  }
  return plan;
}

/** What the month's reports are made of (sql/reports/month_fingerprint.sql): equal means the same reports. */
async function monthFingerprint(db: Db, month: string): Promise<string> {
  const [row] = await queryRows(db, sqlFile(loadSqlProject(), 'reports', 'month_fingerprint').sql, { month });
  return String(row?.fingerprint ?? '');
}

async function storedFingerprint(db: Db, month: string): Promise<string | null> {
  const [row] = await queryRows(db, `select content_sha from exported_months where month = $month`, { month });
  return row?.content_sha === null || row?.content_sha === undefined ? null : String(row.content_sha);
}

async function exportMonthAndRecord(db: Db, out: string, context: Parameters<typeof exportMonth>[2]): Promise<string[]> {
  const outputs = await exportMonth(db, out, context);
  await recordExport(db, context.month, context.timezone, context.runId);
  return outputs;
}

async function recordExport(db: Db, month: string, timezone: string, runId: number): Promise<void> {
  const fingerprint = await monthFingerprint(db, month);
  await db.run(`delete from exported_months where month = $month`, { month });
  await db.run(`insert into exported_months (month, timezone, run_id, content_sha) values ($month, $timezone, $runId, $fingerprint)`, {
    month,
    timezone,
    runId,
    fingerprint,
  });
}

async function planOnly(db: Db, options: NightlyOptions): Promise<NightlySummary> {
  const plans = await loadLanding(db, options.landing, {
    runId: 0,
    settleSeconds: options.settleSeconds,
    reload: options.reload,
    rereadAll: options.fullRefresh,
    dryRun: true,
  });
  const count = (outcome: FileLoadResult['outcome']) => plans.filter((plan) => plan.outcome === outcome).length;
  return {
    runId: 0,
    files: {
      loaded: count('loaded'),
      appended: count('appended'),
      skipped: count('skipped'),
      changed: count('changed'),
      rejected: 0,
      missing: count('missing'),
    },
    rejectedFiles: plans.filter((plan) => plan.error).map((plan) => ({ path: plan.path, error: plan.error! })),
    lines: { read: 0, loaded: 0, quarantined: 0, blank: 0 },
    months: [],
    outputs: [],
    plannedFiles: plans
      .filter((plan) => plan.outcome !== 'skipped' || plan.reparsed)
      .map((plan) => ({ path: plan.path, action: plan.reparsed ? 'reparsed' : plan.outcome })),
  };
}

/**
 * The files whose lines are not yet modelled: this run's, and any an earlier run left pending.
 * first_line_no is the first line this run read (its line accounting counts from there);
 * from_line_no the first line the models do not hold yet. A nightly run models every line since
 * the last nightly run, so a file already pending (live runs' lines, a killed run's) is modelled
 * from its first line; a live run models from the first line no live run has modelled.
 */
async function recordChangedFiles(db: Db, loads: FileLoadResult[], mode: RunMode): Promise<void> {
  await db.run(`create or replace temp table run_read_files (file_id bigint, first_line_no bigint)`);
  const appender = await db.createAppender('run_read_files', 'main', 'temp');
  try {
    for (const load of loads) {
      if (load.fileId === undefined) continue;
      appender.appendBigInt(BigInt(load.fileId));
      appender.appendBigInt(BigInt(load.firstLineNo ?? 1));
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await db.run(
    `create or replace temp table run_changed_files as
     select
         landing_files.file_id,
         coalesce(run_read_files.first_line_no, landing_files.lines_read + 1) as first_line_no,
         case
             when pending_before_run.file_id is null then coalesce(run_read_files.first_line_no, 1)
             when $live then coalesce(pending_before_run.live_lines_modelled, 0) + 1
             else 1
         end as from_line_no,
     from landing_files
     left join run_read_files using (file_id)
     left join pending_before_run using (file_id)
     where landing_files.pending_since_run is not null
         and (
             not $live
             or run_read_files.file_id is not null
             or coalesce(pending_before_run.live_lines_modelled, 0) < landing_files.lines_read
         )`,
    { live: mode === 'live' },
  );
}

/** This run's lines: read and blank as the reader counted them, quarantined from the warehouse. */
async function lineTotals(db: Db, loads: FileLoadResult[], mode: RunMode = 'nightly') {
  // a live run does not build the quarantine mart: its lines are counted where the mart finds them
  const [quarantined] = await queryRows(
    db,
    mode === 'nightly'
      ? `select count(*) as lines
         from quarantine
         inner join run_changed_files
             on quarantine.file_id = run_changed_files.file_id
             and quarantine.line_no >= run_changed_files.first_line_no`
      : `select
             (select count(*) from reader_rejects semi join run_changed_files
                  on reader_rejects.file_id = run_changed_files.file_id
                  and reader_rejects.line_no >= run_changed_files.first_line_no)
             + (select count(*) from base_ocpp__checked_lines semi join run_changed_files
                  on base_ocpp__checked_lines.file_id = run_changed_files.file_id
                  and base_ocpp__checked_lines.line_no >= run_changed_files.first_line_no
                where base_ocpp__checked_lines.rejection_reason is not null) as lines`,
  );
  const read = loads.reduce((sum, load) => sum + load.linesRead, 0);
  const blank = loads.reduce((sum, load) => sum + load.linesBlank, 0);
  const quarantinedLines = Number(quarantined!.lines);
  const count = (outcome: FileLoadResult['outcome']) => loads.filter((load) => load.outcome === outcome).length;
  return {
    files: {
      loaded: count('loaded'),
      appended: count('appended'),
      skipped: count('skipped'),
      changed: count('changed'),
      rejected: count('rejected'),
      missing: count('missing'),
    },
    rejectedFiles: loads.filter((load) => load.error).map((load) => ({ path: load.path, error: load.error! })),
    lines: { read, loaded: read - blank - quarantinedLines, quarantined: quarantinedLines, blank },
  };
}

type RunMode = 'nightly' | 'live';

async function startRun(db: Db, mode: RunMode): Promise<number> {
  const [row] = await queryRows(db, `select coalesce(max(run_id), 0) + 1 as run_id from runs`);
  const runId = Number(row!.run_id);
  await db.run(`insert into runs (run_id, started_at, status, mode) values ($runId, now(), 'running', $mode)`, { runId, mode });
  return runId;
}

async function finishRun(db: Db, runId: number, status: string, summary: NightlySummary | null, error: string | null) {
  await db.run(
    `update runs set
         finished_at = now(),
         status = $status,
         files_loaded = $filesLoaded,
         files_skipped = $filesSkipped,
         files_rejected = $filesRejected,
         files_missing = $filesMissing,
         lines_read = $read,
         lines_loaded = $loaded,
         lines_quarantined = $quarantined,
         lines_blank = $blank,
         months_exported = $months,
         error = $error
     where run_id = $runId`,
    {
      runId,
      status,
      filesLoaded: summary ? summary.files.loaded + summary.files.appended : null,
      filesSkipped: summary?.files.skipped ?? null,
      filesRejected: summary?.files.rejected ?? null,
      filesMissing: summary?.files.missing ?? null,
      read: summary?.lines.read ?? null,
      loaded: summary?.lines.loaded ?? null,
      quarantined: summary?.lines.quarantined ?? null,
      blank: summary?.lines.blank ?? null,
      months: summary ? listValue(summary.months) : null,
      error,
    },
    // An empty list has no item type of its own: without this, a run exporting no month fails here.
    { months: LIST(VARCHAR) },
  );
}
