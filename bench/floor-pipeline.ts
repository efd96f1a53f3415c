/**
 * (g) The engine's floor for this workload: the leanest pipeline we could write that does what a
 * full run's outputs need, in DuckDB, with none of the run's checks. It reads the landing files with DuckDB's own JSON reader (typed columns, in
 * parallel), keeps the messages and the meter samples in tables of a fresh database file, pairs
 * each StartTransaction with its reply and its StopTransaction, and writes the meter samples as
 * one sorted Parquet file per day (two connections) and the transactions as one file. No line
 * numbers, quarantine, line accounting, deduplication, payload validation, hash, workbook or
 * incremental state: what it costs is how close to the engine a pipeline can come on this
 * machine, not a design to follow. Envelope dialect only (the bench's landing); the energy check against (c)
 * shows it read the same transactions.
 *
 *   node --import tsx bench/floor-pipeline.ts <database file> <output directory> <landing file>...
 *
 * Prints {"lines", "samples", "completed", "energyWh", "stagesS"}: stagesS says where its time went.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, listValue } from '@duckdb/node-api';

const [database, outDir, ...files] = process.argv.slice(2);
if (!database || !outDir || files.length === 0)
  throw new Error('usage: floor-pipeline.ts <database file> <output directory> <landing file>...');
mkdirSync(dirname(database), { recursive: true });
const instance = await DuckDBInstance.create(database, { threads: String(availableParallelism()) });
const db = await instance.connect();
const sibling = await instance.connect();
const stagesS: Record<string, number> = {};
/** Runs one stage and keeps its wall seconds. */
async function stage(name: string, work: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await work();
  stagesS[name] = Math.round(performance.now() - started) / 1000;
}
const ENVELOPE = `read_ndjson($files, columns = {charge_point_id: 'VARCHAR', received_at: 'VARCHAR', action: 'VARCHAR', frame: 'JSON[]'})`;
try {
  for (const connection of [db, sibling]) await connection.run(`set TimeZone = 'UTC'`);
  // Two reads of the files: one table of messages (no payload text) and one of samples measured
  // faster than one read into a table holding the readings of every MeterValues.
  await stage('messages', () =>
    db.run(
      `create table messages as
     select
         charge_point_id,
         received_at::timestamptz as logged_at,
         frame[1]::integer as message_type_id,
         frame[2] ->> '$' as unique_id,
         action,
         case when (frame[3] ->> '$') in ('StartTransaction', 'StopTransaction') then json_transform(
             frame[4],
             '{"connectorId": "INTEGER", "idTag": "VARCHAR", "meterStart": "BIGINT", "meterStop": "BIGINT",
               "transactionId": "BIGINT", "timestamp": "TIMESTAMPTZ"}'
         ) end as transaction_fields,
         case when frame[1]::integer = 3 then json_transform(frame[3], '{"transactionId": "BIGINT"}').transactionId end
             as reply_transaction_id,
     from ${ENVELOPE}`,
      { files: listValue(files) },
    ),
  );
  await stage('samples', () =>
    db.run(
      `create table samples as
     with readings as (
         select
             charge_point_id,
             received_at::timestamptz as logged_at,
             json_transform(
                 frame[4],
                 '{"connectorId": "INTEGER", "transactionId": "BIGINT", "meterValue": [{"timestamp": "TIMESTAMPTZ",
                   "sampledValue": [{"value": "VARCHAR", "context": "VARCHAR", "measurand": "VARCHAR", "phase": "VARCHAR",
                   "location": "VARCHAR", "unit": "VARCHAR"}]}]}'
             ) as fields,
         from ${ENVELOPE}
         where action = 'MeterValues'
     ),
     meter_values as (
         select charge_point_id, logged_at, fields.connectorId as connector_id, fields.transactionId as transaction_id,
             unnest(fields.meterValue) as meter_value,
         from readings
     ),
     sampled_values as (
         select charge_point_id, logged_at, connector_id, transaction_id, meter_value.timestamp as sampled_at,
             unnest(meter_value.sampledValue) as sampled_value,
         from meter_values
     )
     select
         charge_point_id, logged_at, connector_id, transaction_id, sampled_at,
         sampled_value.measurand as measurand, sampled_value.phase as phase, sampled_value.location as location,
         sampled_value.context as context, sampled_value.unit as unit, try_cast(sampled_value.value as double) as value,
     from sampled_values`,
      { files: listValue(files) },
    ),
  );
  await stage('transactions', () =>
    db.run(
      `create table transactions as
     with starts as (
         select calls.charge_point_id, replies.reply_transaction_id as transaction_id,
             calls.transaction_fields.connectorId as connector_id, calls.transaction_fields.idTag as id_tag,
             calls.transaction_fields.meterStart as meter_start_wh, calls.transaction_fields.timestamp as started_at,
         from messages as calls
         join messages as replies
             on replies.message_type_id = 3
             and replies.charge_point_id = calls.charge_point_id
             and replies.unique_id = calls.unique_id
         where calls.message_type_id = 2 and calls.action = 'StartTransaction'
     ),
     stops as (
         select charge_point_id, transaction_fields.transactionId as transaction_id,
             transaction_fields.meterStop as meter_stop_wh, transaction_fields.timestamp as stopped_at,
         from messages
         where message_type_id = 2 and action = 'StopTransaction'
     ),
     completed as (
         select starts.charge_point_id, starts.transaction_id, starts.connector_id, starts.id_tag, starts.started_at,
             stops.stopped_at, stops.meter_stop_wh - starts.meter_start_wh as energy_wh,
         from stops
         asof join starts
             on stops.charge_point_id = starts.charge_point_id
             and stops.transaction_id = starts.transaction_id
             and stops.stopped_at >= starts.started_at
     )
     select * from completed`,
    ),
  );
  await stage('checkpoint', () => db.run('checkpoint'));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const days = (await db.runAndReadAll(`select distinct sampled_at::date::varchar from samples where sampled_at is not null order by 1`))
    .getRows()
    .map((row) => String(row[0]));
  let next = 0;
  const writeDays = async (connection: typeof db) => {
    while (next < days.length) {
      const day = days[next++]!;
      await connection.run(
        `copy (
             select * from samples
             where sampled_at >= $day::timestamptz and sampled_at < $day::timestamptz + interval 1 day
             order by charge_point_id, sampled_at, connector_id, logged_at, measurand, phase, location, context, unit, value
         ) to $path (format parquet, compression zstd)`,
        { day, path: join(outDir, `${day}.parquet`) },
      );
    }
  };
  await stage('day_files', () => Promise.all([writeDays(db), writeDays(sibling)]));
  await stage('transactions_file', () =>
    db.run(`copy (select * from transactions order by charge_point_id, started_at) to $path (format parquet, compression zstd)`, {
      path: join(outDir, 'transactions.parquet'),
    }),
  );
  const [row] = (
    await db.runAndReadAll(
      `select (select count(*) from messages), (select count(*) from samples), count(*), coalesce(sum(energy_wh), 0) from transactions`,
    )
  ).getRows();
  console.log(
    JSON.stringify({ lines: Number(row![0]), samples: Number(row![1]), completed: Number(row![2]), energyWh: Number(row![3]), stagesS }),
  );
} finally {
  sibling.closeSync();
  db.closeSync();
  instance.closeSync();
}
