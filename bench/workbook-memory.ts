/**
 * Peak memory of writing (and auditing) the workbook of a month of 1 M completed transactions.
 *
 *   /usr/bin/time -v npx tsx bench/workbook-memory.ts [completed-rows]
 *
 * A child process builds a synthetic warehouse directly with SQL range() (no landing files); this
 * process then opens it and runs the exportWorkbook and verifyWorkbookTotals the nightly job runs.
 * The bound to hold is 500 MiB RSS: "Maximum resident set size" in the time -v output covers the
 * whole process; the script prints the peak of each phase too (TRACE=1 prints every second).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db, queryRows, withWarehouse } from '../jobs/db.ts';
import { exportWorkbook } from '../jobs/export/excel.ts';
import { verifyWorkbookTotals } from '../jobs/export/workbook/verify.ts';
import { setModelVariables } from '../jobs/models/run-models.ts';

const building = process.argv[2] === '--build';
const completed = Number((building ? process.argv[5] : process.argv[2]) ?? 1_000_000);
const MONTH = '2024-01';
const TIMEZONE = 'Europe/Berlin';
const dir = building ? '' : mkdtempSync(join(tmpdir(), 'ocpp-workbook-bench-'));
const warehouse = building ? process.argv[3]! : join(dir, 'warehouse.duckdb');
const parquet = building ? process.argv[4]! : join(dir, 'transactions.parquet');
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

const peak = { rss: 0, heap: 0, buffers: 0 };
const sampler = setInterval(
  () => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heap = Math.max(peak.heap, usage.heapUsed);
    peak.buffers = Math.max(peak.buffers, usage.arrayBuffers);
    if (process.env.TRACE)
      console.log(
        `  rss ${mib(usage.rss)} heap ${mib(usage.heapUsed)}/${mib(usage.heapTotal)} external ${mib(usage.external)} buffers ${mib(usage.arrayBuffers)}`,
      );
  },
  process.env.TRACE ? 1000 : 25,
);

async function phase(name: string, work: () => Promise<string>): Promise<void> {
  Object.assign(peak, { rss: 0, heap: 0, buffers: 0 });
  const started = performance.now();
  const detail = await work();
  console.log(
    `${name}: ${detail} in ${seconds(started)}; peak rss ${mib(peak.rss)} (JS heap ${mib(peak.heap)}, buffers ${mib(peak.buffers)})`,
  );
}

/**
 * `completed` sessions stopping 2.6 s apart through January (Berlin), then one open and one stop
 * without a start per thousand, idTags with leading zeros, one row in 500 flagged.
 */
async function buildWarehouse(db: Db): Promise<string> {
  const extra = Math.ceil(completed / 1000);
  await db.run(
    `create table fct_transactions as
     with numbered as (
         select
             range as i,
             case
                 when range < $completed then 'completed'
                 when range % 2 = 0 then 'open'
                 else 'stop_without_start'
             end as transaction_status,
             timestamptz '2024-01-01 00:30:00+01' + to_microseconds(cast((range % $completed) * (2600000000000 // $completed) as bigint))
                 as stop_time,
             600 + range % 7200 as charge_seconds,
             1000 + range % 50000 as wh,
         from range($completed + $extra)
     )
     select
         'CP-' || lpad(cast(i % 500 as varchar), 5, '0') as charge_point_id,
         cast(i as bigint) as transaction_id,
         cast(i % 2 + 1 as integer) as connector_id,
         '00' || lpad(cast(i % 20000 as varchar), 6, '0') as id_tag,
         case when transaction_status <> 'stop_without_start' then stop_time - to_seconds(charge_seconds) end as started_at,
         case when transaction_status <> 'open' then stop_time end as stopped_at,
         case when transaction_status = 'completed' then cast(charge_seconds as bigint) end as duration_s,
         case when transaction_status <> 'stop_without_start' then cast(i * 7 % 10000000 as bigint) end as meter_start_wh,
         case when transaction_status <> 'open' then cast(i * 7 % 10000000 + wh as bigint) end as meter_stop_wh,
         case when transaction_status = 'completed' then cast(wh as bigint) end as energy_wh,
         case when transaction_status = 'completed' then wh / 1000.0 end as energy_kwh,
         case when transaction_status <> 'open' then 'Local' end as stop_reason,
         cast(i * 7 % 10000000 + wh - 3 as bigint) as last_register_wh,
         stop_time - interval 30 second as last_register_sampled_at,
         case when transaction_status <> 'open' then strftime(stop_time at time zone $timezone, '%Y-%m') end as month,
         transaction_status,
         case when i % 500 = 7 then ['clock_skew'] else cast([] as varchar[]) end as flags,
     from numbered`,
    { completed, extra, timezone: TIMEZONE },
  );
  await db.run(
    `create table fct_landing_file_lines as
     select range as file_id, 'date=2024-01-' || lpad(cast(range + 1 as varchar), 2, '0') || '/cp.ndjson' as path,
            'loaded' as status, null as error, 1 as run_id,
            100000 as lines_read, 99990 as lines_loaded, 5 as lines_quarantined, 5 as lines_blank
     from range(31)`,
  );
  await db.run(`create table runs as select 1 as run_id, timestamptz '2024-02-01 02:15:00+00' as started_at`);
  await db.run(`copy (select * exclude (month) from fct_transactions where month = $month) to $path (format parquet)`, {
    month: MONTH,
    path: parquet,
  });
  const [row] = await queryRows(
    db,
    `select count(*) as n from fct_transactions where month = $month and transaction_status = 'completed'`,
    { month: MONTH },
  );
  return `${row!.n} completed transactions in ${MONTH}`;
}

if (building) {
  await phase('warehouse (child process)', () => withWarehouse(warehouse, buildWarehouse));
  clearInterval(sampler);
  process.exit(0);
}

try {
  // tsx's loader flags are in execArgv, so the child runs this same TypeScript file
  execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--build', warehouse, parquet, String(completed)], {
    stdio: 'inherit',
  });
  await withWarehouse(warehouse, async (db) => {
    await setModelVariables(db, { reportTimezone: TIMEZONE });
    let path = '';
    await phase('workbook', async () => {
      path = await exportWorkbook(db, join(dir, 'reports'), { month: MONTH, timezone: TIMEZONE, runId: 1 });
      return `${mib(statSync(path).size)} written`;
    });
    await phase('audit', async () => {
      const audit = await verifyWorkbookTotals(db, path, MONTH, { parquetPath: parquet });
      return `${audit.transactions} transactions, ${audit.energyWh} Wh reconciled`;
    });
  });
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
console.log(`process maxRSS (kernel): ${mib(process.resourceUsage().maxRSS * 1024)}`);
