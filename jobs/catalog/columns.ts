/**
 * The one source of truth for what every exported column means. The Parquet data dictionary and
 * manifests, the workbook's About sheet and headers, and `--help` text all read from here; a test
 * fails when a mart column has no entry.
 *
 * Bump SCHEMA_VERSION (and note it in CHANGELOG.md) whenever an exported column is added,
 * removed, renamed or changes type.
 */
export const SCHEMA_VERSION = 1;

export interface ColumnDoc {
  name: string;
  /** Type as analysts see it in Parquet / DuckDB. */
  type: 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'TIMESTAMP WITH TIME ZONE' | 'BOOLEAN' | 'DATE' | 'VARCHAR[]';
  /** Friendly header for spreadsheets, with the unit. */
  header: string;
  description: string;
}

export interface DatasetDoc {
  name: string;
  description: string;
  /** Hive partition column, if the dataset is partitioned. */
  partitionedBy?: 'month';
  columns: ColumnDoc[];
}

export const TRANSACTION_COLUMNS: ColumnDoc[] = [
  { name: 'charge_point_id', type: 'VARCHAR', header: 'Charge point', description: 'Identity of the charge point, as it presents itself to the central system.' },
  { name: 'transaction_id', type: 'BIGINT', header: 'Transaction', description: 'Id the central system assigned in the StartTransaction reply. Unique only per charge point, and restarts after a reboot: (charge_point_id, transaction_id, started_at) identifies a transaction.' },
  { name: 'connector_id', type: 'INTEGER', header: 'Connector', description: 'Connector the transaction ran on (from StartTransaction).' },
  { name: 'id_tag', type: 'VARCHAR', header: 'Customer (idTag)', description: "The customer's token (idTag) that authorised the transaction: who is billed." },
  { name: 'started_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Started', description: "StartTransaction payload timestamp (the charge point's clock), in UTC." },
  { name: 'stopped_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Stopped', description: "StopTransaction payload timestamp (the charge point's clock), in UTC. Null while the transaction is open." },
  { name: 'duration_s', type: 'BIGINT', header: 'Charge time (s)', description: 'Final charge time: whole seconds from started_at to stopped_at, truncated.' },
  { name: 'meter_start_wh', type: 'BIGINT', header: 'Meter start (Wh)', description: 'Energy register reading at the start (StartTransaction.meterStart), Wh.' },
  { name: 'meter_stop_wh', type: 'BIGINT', header: 'Meter stop (Wh)', description: 'Energy register reading at the stop (StopTransaction.meterStop), Wh.' },
  { name: 'energy_wh', type: 'BIGINT', header: 'Energy (Wh)', description: 'Final dispense: meter_stop_wh − meter_start_wh, Wh. This is the billed figure.' },
  { name: 'energy_kwh', type: 'DOUBLE', header: 'Energy (kWh)', description: 'energy_wh / 1000.' },
  { name: 'stop_reason', type: 'VARCHAR', header: 'Stop reason', description: 'StopTransaction.reason as sent (absent means Local in OCPP 1.6).' },
  { name: 'last_register_wh', type: 'BIGINT', header: 'Last register (Wh)', description: 'Latest Energy.Active.Import.Register sample of the transaction (whole meter, not a phase; converted to Wh), by sample time. For cross-checking energy_wh: some firmware restarts this register every session.' },
  { name: 'last_register_sampled_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Last register sampled', description: 'Sample time of last_register_wh, in UTC.' },
  { name: 'month', type: 'VARCHAR', header: 'Month', description: "YYYY-MM of stopped_at in the report time zone: the month the transaction is billed in. In Parquet it is the hive partition (month=YYYY-MM)." },
  { name: 'transaction_status', type: 'VARCHAR', header: 'Status', description: "'completed' (start and stop in the data), 'open' (never stopped; not billed) or 'stop_without_start' (the start is not in the data; energy unknown, not billed)." },
];

export const DATASETS: DatasetDoc[] = [
  {
    name: 'transactions',
    description: 'One row per transaction whose stop falls in the month (fct_transactions). Completed rows carry the billed figures.',
    partitionedBy: 'month',
    columns: TRANSACTION_COLUMNS,
  },
];

export function datasetDoc(name: string): DatasetDoc {
  const dataset = DATASETS.find((candidate) => candidate.name === name);
  if (!dataset) throw new Error(`no dataset named ${name} in the catalog`);
  return dataset;
}

export function columnDoc(dataset: string, column: string): ColumnDoc {
  const doc = datasetDoc(dataset).columns.find((candidate) => candidate.name === column);
  if (!doc) throw new Error(`no description for ${dataset}.${column} in jobs/catalog/columns.ts`);
  return doc;
}
