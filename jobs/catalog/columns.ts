/**
 * The one source of truth for what every exported column means. The Parquet data dictionary and
 * manifests, the workbook's About sheet and headers, and `--help` text all read from here; a test
 * fails when a mart column has no entry.
 *
 * Bump SCHEMA_VERSION (and note it in CHANGELOG.md) whenever an exported column is added,
 * removed, renamed or changes type, and commit test/fixtures/schema-v<N>.json for the new version:
 * test/datasets.test.ts fails while the catalog differs from the snapshot of the current version.
 */
export const SCHEMA_VERSION = 3;

export interface ColumnDoc {
  name: string;
  /** Type as analysts see it in Parquet / DuckDB. */
  type: 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'DECIMAL(18,3)' | 'DECIMAL(18,2)' | 'TIMESTAMP WITH TIME ZONE' | 'BOOLEAN' | 'DATE' | 'VARCHAR[]';
  /** Friendly header for spreadsheets, with the unit. */
  header: string;
  description: string;
}

export interface DatasetDoc {
  name: string;
  description: string;
  /** Hive partition column, if the dataset is partitioned. */
  partitionedBy?: 'month';
  /** Row order inside each file: row-group statistics on these columns let engines skip data. */
  sortedBy: string[];
  /**
   * One file per day inside each month partition (`month=YYYY-MM/<name>-YYYY-MM-DD.parquet`), so a
   * night rewrites the days it touched, not its month. The report query returns the rows of the
   * month's asked-for days with a `day` column and the columns of `writeOrder`, and each day's
   * file is written in `writeOrder` (sortedBy, then what makes the order total).
   */
  filesPerDay?: { writeOrder: string[]; helperColumns: string[] };
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
  { name: 'last_register_wh', type: 'DECIMAL(18,3)', header: 'Last register (Wh)', description: 'Latest Energy.Active.Import.Register sample of the transaction (whole meter, not a phase; converted to Wh), by sample time, exactly as the meter reported it (decimals kept, read from the text: 146659.8 Wh stays 146659.8; 11730.1 kWh is 11730100 Wh). For cross-checking energy_wh: some firmware restarts this register every session.' },
  { name: 'last_register_sampled_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Last register sampled', description: 'Sample time of last_register_wh, in UTC.' },
  { name: 'month', type: 'VARCHAR', header: 'Month', description: "YYYY-MM of stopped_at in the report time zone: the month the transaction is billed in. In Parquet it is the hive partition (month=YYYY-MM)." },
  { name: 'transaction_status', type: 'VARCHAR', header: 'Status', description: "'completed' (start and stop in the data), 'open' (never stopped; not billed) or 'stop_without_start' (the start is not in the data; energy unknown, not billed)." },
  { name: 'flags', type: 'VARCHAR[]', header: 'Flags', description: 'Anomaly flags for review (stop_without_start, stopped_more_than_once, start_retransmitted, negative_energy, non_positive_duration, longer_than_7_days, register_disagrees, clock_skew): an empty list when there is nothing to review; filter on it to leave out, say, meter resets (negative_energy). The workbook shows them in words (REVIEW_REASONS).' },
  { name: 'customer_id', type: 'VARCHAR', header: 'Customer id', description: 'The customer the idTag bills to, from the last --customers file (many idTags may belong to one customer). Null when no customers file was given or the idTag is not in it (flag unknown_customer).' },
  { name: 'customer_name', type: 'VARCHAR', header: 'Customer', description: 'Name of that customer, from the --customers file.' },
  { name: 'tariff_id', type: 'VARCHAR', header: 'Tariff', description: "The tariff in force at the transaction's start, from the last --tariffs file: one for its own charge point beats one for every charge point ('*'); among those, the latest valid_from on or before the start's date in the report time zone. Null when not completed, when no tariff file was given, or when none was in force (flag no_tariff)." },
  { name: 'currency', type: 'VARCHAR', header: 'Currency', description: 'ISO 4217 currency of the tariff and of the amounts.' },
  { name: 'amount_excl_vat', type: 'DECIMAL(18,2)', header: 'Amount excl. VAT', description: 'energy_wh / 1000 × price_per_kwh + duration_s / 3600 × price_per_hour + price_per_session, computed exactly and rounded half up (away from zero) to the cent.' },
  { name: 'vat_amount', type: 'DECIMAL(18,2)', header: 'VAT', description: 'amount_excl_vat × vat_percent / 100, rounded half up to the cent.' },
  { name: 'amount_incl_vat', type: 'DECIMAL(18,2)', header: 'Amount incl. VAT', description: 'amount_excl_vat + vat_amount. Totals are sums of these rounded lines, as on an invoice.' },
];

const CHARGE_POINT_ID: ColumnDoc = TRANSACTION_COLUMNS[0]!;

const monthColumn = (basis: string): ColumnDoc => ({
  name: 'month',
  type: 'VARCHAR',
  header: 'Month',
  description: `YYYY-MM of ${basis} in the report time zone. In Parquet it is the hive partition (month=YYYY-MM), not a column of the files.`,
});

export const METER_SAMPLE_COLUMNS: ColumnDoc[] = [
  CHARGE_POINT_ID,
  { name: 'connector_id', type: 'INTEGER', header: 'Connector', description: 'Connector the MeterValues message was sent for (0 = the charge point as a whole).' },
  { name: 'transaction_id', type: 'BIGINT', header: 'Transaction', description: 'transactionId the MeterValues message carried; null for samples outside a transaction. Unique only per charge point and restarts after a reboot: join on transaction_started_at too.' },
  { name: 'transaction_started_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Transaction started', description: "started_at of the transaction the sample belongs to (the latest StartTransaction with this id logged before the sample), in UTC. (charge_point_id, transaction_id, transaction_started_at) joins to transactions (charge_point_id, transaction_id, started_at). Null when the start is not in the data." },
  { name: 'sampled_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Sampled', description: "Sample time (meterValue.timestamp, the charge point's clock), in UTC. Null when unreadable." },
  { name: 'logged_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Logged', description: 'When the central system logged the MeterValues message, in UTC.' },
  { name: 'measurand', type: 'VARCHAR', header: 'Measurand', description: 'What was measured (e.g. Energy.Active.Import.Register, Power.Active.Import, Current.Import, Voltage). Absent in the message means Energy.Active.Import.Register (OCPP 1.6 default).' },
  { name: 'phase', type: 'VARCHAR', header: 'Phase', description: 'Phase of the value (L1, L2, L3, N, L1-N, …). Null means the whole meter: sum or compare only rows with a null phase.' },
  { name: 'location', type: 'VARCHAR', header: 'Location', description: 'Where the value was measured (Outlet, Inlet, Body, Cable, EV), as sent; null when not sent.' },
  { name: 'context', type: 'VARCHAR', header: 'Context', description: 'Why the sample was taken (Sample.Periodic, Transaction.Begin, Transaction.End, …), as sent; null when not sent.' },
  { name: 'unit', type: 'VARCHAR', header: 'Unit', description: 'Unit of value after conversion to the base unit: Wh, W, varh, var, VA; other units (A, V, Celsius, K, Percent, …) as sent. Absent in the message means Wh.' },
  { name: 'reported_unit', type: 'VARCHAR', header: 'Reported unit', description: 'Unit as the charge point sent it (Wh when absent), e.g. kWh for a value converted to Wh.' },
  { name: 'value', type: 'DOUBLE', header: 'Value', description: 'The sampled value in unit: kWh, kW, kvarh, kvar and kVA are multiplied by 1000. Null when the value is not a number.' },
  { name: 'value_wh', type: 'DECIMAL(18,3)', header: 'Value (Wh)', description: 'The value exactly as reported when unit is Wh (energy registers; kWh × 1000), read from its text with its decimals, else null. The last value_wh by sampled_at of the whole-meter Energy.Active.Import.Register is the last known dispense register of a transaction.' },
  monthColumn('sampled_at (logged_at when sampled_at is null)'),
];

export const CHARGE_POINT_DAY_COLUMNS: ColumnDoc[] = [
  CHARGE_POINT_ID,
  { name: 'day', type: 'DATE', header: 'Day', description: 'Calendar day in the report time zone.' },
  { name: 'first_seen_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'First seen', description: 'Log time of the first message to or from the charge point that day, in UTC. Null on a day with no message.' },
  { name: 'last_seen_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Last seen', description: 'Log time of the last message to or from the charge point that day, in UTC. Null on a day with no message.' },
  { name: 'messages', type: 'BIGINT', header: 'Messages', description: 'Messages logged that day, both directions, replies included (redelivered lines count once).' },
  { name: 'heartbeats', type: 'BIGINT', header: 'Heartbeats', description: 'Heartbeat requests logged that day.' },
  { name: 'boots', type: 'BIGINT', header: 'Boots', description: 'BootNotification requests logged that day.' },
  { name: 'sessions_started', type: 'BIGINT', header: 'Sessions started', description: 'Transactions started that day (StartTransaction timestamp, else its log time), those the central system gave an id.' },
  { name: 'sessions_stopped', type: 'BIGINT', header: 'Sessions stopped', description: 'Completed transactions stopped that day (by stopped_at): the transactions rows of the day.' },
  { name: 'energy_wh', type: 'BIGINT', header: 'Energy (Wh)', description: 'Σ energy_wh of the completed transactions stopped that day, Wh: the billed energy, counted on the day the session ended. The days of a month add up to the month in transactions.' },
  { name: 'energy_kwh', type: 'DOUBLE', header: 'Energy (kWh)', description: 'energy_wh / 1000.' },
  { name: 'online_s', type: 'BIGINT', header: 'Online (s)', description: 'Seconds of the day the charge point was online, truncated: online from each message until the next one, or until 2 × its heartbeat interval (charge_points.heartbeat_interval_s; 600 s when unknown) has passed without one. Time carried over midnight counts on the next day, which then has a row even without a message.' },
  { name: 'online_minutes', type: 'DOUBLE', header: 'Online (min)', description: 'online_s / 60.' },
  monthColumn('day'),
];

export const STATUS_CHANGE_COLUMNS: ColumnDoc[] = [
  CHARGE_POINT_ID,
  { name: 'connector_id', type: 'INTEGER', header: 'Connector', description: 'Connector the status is for (0 = the charge point as a whole).' },
  { name: 'status', type: 'VARCHAR', header: 'Status', description: 'StatusNotification.status: Available, Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing, Reserved, Unavailable or Faulted.' },
  { name: 'previous_status', type: 'VARCHAR', header: 'Previous status', description: "The connector's status in its previous StatusNotification (by log time, across months); null for its first one in the data." },
  { name: 'error_code', type: 'VARCHAR', header: 'Error code', description: 'StatusNotification.errorCode (NoError when healthy).' },
  { name: 'info', type: 'VARCHAR', header: 'Info', description: 'StatusNotification.info, free text from the charge point, if sent.' },
  { name: 'status_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Status time', description: "StatusNotification.timestamp (the charge point's clock, optional in OCPP 1.6), in UTC." },
  { name: 'logged_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Logged', description: 'When the central system logged the notification, in UTC. Rows are ordered by it.' },
  { name: 'status_until', type: 'TIMESTAMP WITH TIME ZONE', header: 'Status until', description: "logged_at of the connector's next StatusNotification (across months), in UTC; null while it is the latest. status_until − logged_at is the time spent in status." },
  monthColumn('logged_at'),
];

export const CHARGE_POINT_COLUMNS: ColumnDoc[] = [
  CHARGE_POINT_ID,
  { name: 'vendor', type: 'VARCHAR', header: 'Vendor', description: 'chargePointVendor from the latest BootNotification.' },
  { name: 'model', type: 'VARCHAR', header: 'Model', description: 'chargePointModel from the latest BootNotification.' },
  { name: 'serial_number', type: 'VARCHAR', header: 'Serial number', description: 'chargePointSerialNumber from the latest BootNotification, if sent.' },
  { name: 'firmware_version', type: 'VARCHAR', header: 'Firmware', description: 'firmwareVersion from the latest BootNotification, if sent.' },
  { name: 'boot_status', type: 'VARCHAR', header: 'Boot status', description: 'Registration status the central system answered the latest BootNotification with (Accepted, Pending, Rejected).' },
  { name: 'heartbeat_interval_s', type: 'BIGINT', header: 'Heartbeat interval (s)', description: 'Heartbeat interval, seconds, from the reply to the latest BootNotification. Twice this (600 s when null) is the silence after which the charge point counts as offline.' },
  { name: 'first_seen_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'First seen', description: 'Log time of the first message to or from the charge point in the data, in UTC.' },
  { name: 'last_seen_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Last seen', description: 'Last connection: log time of the latest message to or from the charge point (replies included), in UTC.' },
  { name: 'last_boot_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Last boot', description: 'Log time of the latest BootNotification, in UTC; null when none is in the data.' },
  { name: 'messages', type: 'BIGINT', header: 'Messages', description: 'Messages to or from the charge point in the whole data, replies included.' },
];

/** Columns only the workbook shows, derived from the transaction columns (its About sheet lists them). */
export const WORKBOOK_COLUMNS: ColumnDoc[] = [
  { name: 'charge_time', type: 'DOUBLE', header: 'Charge time', description: 'duration_s as a duration ([h]:mm:ss) for reading; Charge time (s) holds the same figure in whole seconds.' },
  { name: 'charge_time_hours', type: 'DOUBLE', header: 'Charge time (h)', description: 'Sum of duration_s of the billed sessions, in decimal hours (seconds / 3600).' },
  { name: 'shown_stop', type: 'TIMESTAMP WITH TIME ZONE', header: 'Stopped', description: 'Started + Charge time, to the second: Stop − Start in the sheet is exactly the charge time billed. It can read a second or two before the logged stop (stopped_at, exact in Parquet), because the charge time is whole seconds, truncated.' },
  { name: 'id_tags', type: 'VARCHAR', header: 'idTags', description: "The customer's idTags that charged in the month, comma-separated." },
  { name: 'sessions', type: 'BIGINT', header: 'Sessions', description: 'Completed transactions stopped in the month: the sessions billed.' },
  { name: 'review_flags', type: 'VARCHAR', header: 'Review flags', description: 'Anomaly flags of the transaction, in words; empty when there is nothing to review. A flagged session is billed like any other completed one: check it before invoicing.' },
  { name: 'exception_reason', type: 'VARCHAR', header: 'Reason', description: 'Why the row needs attention, in words: open (not billed yet), stop without a start (not billed) and any anomaly flags.' },
];

/** Transaction statuses and the anomaly flags of sql/marts/fct_transactions.sql (flags), in words for finance. */
export const REVIEW_REASONS: Record<string, string> = {
  open: 'Open: started, no stop in the data yet. Not billed; it is billed in the month it stops.',
  stop_without_start: 'Stop without a start in the data (it began before the logs): energy and charge time unknown. Not billed.',
  stopped_more_than_once: 'Stopped more than once with different figures: the first stop is billed, the later ones are ignored.',
  start_retransmitted: 'StartTransaction sent more than once (no reply heard in time): counted once; check that the customer was not charged twice.',
  negative_energy: 'Negative energy: meter stop below meter start (meter reset or replacement).',
  non_positive_duration: 'Charge time zero or negative (charge point clock).',
  longer_than_7_days: 'Charge time over 7 days.',
  register_disagrees: 'The last meter sample disagrees with meter stop − meter start by more than 100 Wh + 2 %.',
  no_tariff: 'No tariff in force at the start (for its charge point or for all): not priced. Add a tariff and run again.',
  unknown_customer: 'The idTag is not in the customers file: no customer to bill.',
  clock_skew: "The charge point's clock was more than 15 minutes off the log time at start or stop.",
};

/** The workbook's Summary figures, in the order shown. */
export const WORKBOOK_FIGURES: ColumnDoc[] = [
  { name: 'month', type: 'VARCHAR', header: 'Month (by stop time)', description: 'A session is billed in the month it stops: the month of stopped_at in the report time zone. A session running across midnight at the month end belongs to the month it stops in; open sessions belong to no month until they stop.' },
  { name: 'report_timezone', type: 'VARCHAR', header: 'Report time zone', description: 'IANA time zone of the month boundaries and of every date-time in the workbook (--timezone). Date-time headers name it.' },
  { name: 'period_start', type: 'TIMESTAMP WITH TIME ZONE', header: 'Period start', description: 'First instant of the month in the report time zone, included.' },
  { name: 'period_end', type: 'TIMESTAMP WITH TIME ZONE', header: 'Period end, exclusive', description: 'First instant of the next month in the report time zone: a session stopped at this instant or later is billed next month.' },
  { name: 'completed_transactions', type: 'BIGINT', header: 'Completed transactions', description: 'Completed transactions stopped in the month: the rows of the Transactions sheet, the sessions billed.' },
  { name: 'energy_kwh', type: 'DOUBLE', header: 'Energy delivered (kWh)', description: 'Sum of energy_wh of the completed transactions / 1000: the energy billed.' },
  { name: 'energy_wh', type: 'BIGINT', header: 'Energy delivered (Wh)', description: 'The same to the watt-hour. After writing, the run checks it against the Transactions sheet, the Parquet month and the warehouse.' },
  { name: 'charging_hours', type: 'DOUBLE', header: 'Charging time (hours)', description: 'Sum of duration_s of the completed transactions / 3600.' },
  { name: 'customers', type: 'BIGINT', header: 'Customers (idTags)', description: 'Distinct idTags among the completed transactions: the rows of By customer.' },
  { name: 'charge_points', type: 'BIGINT', header: 'Charge points', description: 'Distinct charge points among the completed transactions.' },
  { name: 'open_transactions', type: 'BIGINT', header: 'Open transactions (not billed)', description: 'Transactions started in or before the month that have no stop at the end of the data. Listed on Exceptions.' },
  { name: 'stops_without_start', type: 'BIGINT', header: 'Stops without a start (not billed)', description: 'Stops in the month whose StartTransaction is not in the data. Listed on Exceptions.' },
  { name: 'flagged_transactions', type: 'BIGINT', header: 'Flagged transactions to review', description: 'Transactions stopped in the month with at least one anomaly flag. Listed on Exceptions with the flags in words.' },
  { name: 'run_id', type: 'BIGINT', header: 'Run id', description: 'The nightly run that wrote this workbook (warehouse table runs).' },
  { name: 'generated_at', type: 'TIMESTAMP WITH TIME ZONE', header: 'Generated at', description: 'Start time of that run, in the report time zone.' },
  { name: 'source_files', type: 'BIGINT', header: 'Source files', description: 'Landing files in the warehouse that the figures come from.' },
  { name: 'source_lines_read', type: 'BIGINT', header: 'Source lines read', description: 'Lines read from those files: loaded + quarantined + blank.' },
  { name: 'source_lines_loaded', type: 'BIGINT', header: 'Source lines loaded', description: 'Lines that became OCPP messages.' },
  { name: 'source_lines_quarantined', type: 'BIGINT', header: 'Source lines quarantined', description: 'Unusable lines, kept with a reason in the warehouse table quarantine; they change no figure.' },
  { name: 'source_lines_blank', type: 'BIGINT', header: 'Source lines blank', description: 'Empty lines.' },
];

/** Summary figures when tariffs are in force: one row each per currency, then the unpriced count. */
export const REVENUE_FIGURES: ColumnDoc[] = [
  { name: 'revenue_excl_vat', type: 'DECIMAL(18,2)', header: 'Revenue excl. VAT', description: 'Sum of amount_excl_vat of the completed transactions of the month in that currency: the sum of the rounded lines, as on an invoice.' },
  { name: 'revenue_vat', type: 'DECIMAL(18,2)', header: 'VAT', description: 'Sum of vat_amount of those transactions.' },
  { name: 'revenue_incl_vat', type: 'DECIMAL(18,2)', header: 'Revenue incl. VAT', description: 'Sum of amount_incl_vat of those transactions: revenue excl. VAT + VAT.' },
  { name: 'priced_transactions', type: 'BIGINT', header: 'Priced transactions', description: 'Completed transactions of the month priced in that currency.' },
  { name: 'unpriced_transactions', type: 'BIGINT', header: 'Unpriced transactions (no tariff)', description: 'Completed transactions of the month with no tariff in force at their start: no amount, flag no_tariff, listed on Exceptions.' },
];

export const DATASETS: DatasetDoc[] = [
  {
    name: 'transactions',
    description: 'One row per transaction whose stop falls in the month (fct_transactions). Completed rows carry the billed figures.',
    partitionedBy: 'month',
    sortedBy: ['charge_point_id', 'stopped_at', 'transaction_id'],
    columns: TRANSACTION_COLUMNS,
  },
  {
    name: 'meter_samples',
    description: 'One row per sampled value of every MeterValues message (all measurands and phases), with the value in its base unit (Wh, W, A, V, …) and the transaction it belongs to.',
    partitionedBy: 'month',
    sortedBy: ['charge_point_id', 'sampled_at', 'connector_id', 'logged_at'],
    filesPerDay: {
      writeOrder: ['charge_point_id', 'sampled_at', 'connector_id', 'logged_at', 'file_id', 'line_no', 'measurand', 'phase', 'location', 'context', 'unit', 'reported_unit', 'value'],
      helperColumns: ['day', 'file_id', 'line_no'],
    },
    columns: METER_SAMPLE_COLUMNS,
  },
  {
    name: 'charge_point_days',
    description: 'One row per charge point and day (report time zone): traffic, sessions, billed energy and time online by the offline rule.',
    partitionedBy: 'month',
    sortedBy: ['charge_point_id', 'day'],
    columns: CHARGE_POINT_DAY_COLUMNS,
  },
  {
    name: 'status_changes',
    description: 'One row per StatusNotification, with the previous status of the connector and when the next one came.',
    partitionedBy: 'month',
    sortedBy: ['charge_point_id', 'logged_at', 'connector_id'],
    columns: STATUS_CHANGE_COLUMNS,
  },
  {
    name: 'charge_points',
    description: 'One row per charge point seen in the data: what its latest BootNotification said and when it was last heard from. Not partitioned: one file, rewritten every run.',
    sortedBy: ['charge_point_id'],
    columns: CHARGE_POINT_COLUMNS,
  },
];

/**
 * Warehouse marts documented column by column, for whoever queries the warehouse directly;
 * test/catalog.test.ts fails when a mart listed here has a column without an entry (or an entry
 * without a column). fct_transactions carries the exported columns plus what only the warehouse keeps.
 */
export const MART_COLUMNS: Record<string, ColumnDoc[]> = {
  fct_transactions: [
    ...TRANSACTION_COLUMNS,
    { name: 'start_file_id', type: 'BIGINT', header: 'Start file', description: 'landing_files.file_id of the file the StartTransaction line was read from. Null for a stop without a start.' },
    { name: 'start_line_no', type: 'BIGINT', header: 'Start line', description: 'Line number of the StartTransaction in that file: (start_file_id, start_line_no) is its row in base_ocpp__lines, and its line in the landing file.' },
    { name: 'stop_file_id', type: 'BIGINT', header: 'Stop file', description: 'landing_files.file_id of the file the StopTransaction line was read from. Null while the transaction is open.' },
    { name: 'stop_line_no', type: 'BIGINT', header: 'Stop line', description: 'Line number of the StopTransaction in that file: (stop_file_id, stop_line_no) is its row in base_ocpp__lines, and its line in the landing file.' },
  ],
};

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
