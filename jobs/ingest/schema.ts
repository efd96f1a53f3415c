import type { Db } from '../db.ts';

/**
 * The raw layer, written only by the loader. Everything above it (sql/) is rebuilt from these
 * tables, so they are the warehouse's only state besides the run log.
 */
const RAW_LAYER_DDL = `
create table if not exists runs (
  run_id bigint not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  status varchar not null,
  files_loaded integer,
  files_skipped integer,
  files_rejected integer,
  lines_read bigint,
  lines_loaded bigint,
  lines_quarantined bigint,
  lines_blank bigint,
  months_exported varchar[],
  error varchar
);
create table if not exists landing_files (
  file_id bigint not null,
  path varchar not null,
  size_bytes bigint not null,
  mtime_ms double not null,
  sha256 varchar,
  status varchar not null,
  error varchar,
  lines_read bigint not null,
  lines_blank bigint not null,
  lines_rejected_by_reader bigint not null,
  run_id bigint not null,
  payloads_checked boolean not null default false
);
-- warehouses made by earlier versions
alter table landing_files add column if not exists payloads_checked boolean default false;
alter table landing_files add column if not exists bytes_loaded bigint;
alter table landing_files add column if not exists ends_unterminated boolean default false;
-- set when lines are loaded, cleared when a run has modelled and exported them: a run killed in
-- between leaves it set, and the next run processes those files too
alter table landing_files add column if not exists pending_since_run bigint;
-- lines of a pending file the live models already hold (run --live); cleared with pending_since_run
alter table landing_files add column if not exists live_lines_modelled bigint;
-- 'nightly' or 'live' (run --live); null for runs of earlier versions
alter table runs add column if not exists mode varchar;
-- files loaded earlier and gone from the landing at this run (their facts are kept)
alter table runs add column if not exists files_missing integer;
-- set by a live run that rebuilt its models because lines may have been replaced: the nightly
-- run then rebuilds its own too; cleared by the nightly run
create table if not exists live_state (flag varchar not null);
create table if not exists raw_lines (
  file_id bigint not null,
  line_no bigint not null,
  raw_line varchar not null
);
create table if not exists reader_rejects (
  file_id bigint not null,
  line_no bigint not null,
  raw_line varchar not null,
  reason varchar not null
);
create table if not exists exported_months (
  month varchar not null,
  timezone varchar not null,
  run_id bigint not null
);
-- finance reference data, replaced as a whole when a run is given --tariffs / --customers
create table if not exists tariffs (
  tariff_id varchar not null,
  valid_from date not null,
  charge_point varchar not null,
  currency varchar not null,
  price_per_kwh decimal(18, 6) not null,
  price_per_hour decimal(18, 6) not null,
  price_per_session decimal(18, 6) not null,
  vat_percent decimal(7, 4) not null,
  line_no bigint not null
);
create table if not exists customers (
  id_tag varchar not null,
  customer_id varchar not null,
  customer_name varchar not null,
  line_no bigint not null
);
create table if not exists reference_files (
  kind varchar not null,
  path varchar not null,
  sha256 varchar not null,
  rows bigint not null,
  run_id bigint not null,
  loaded_at timestamptz not null
);
-- months whose billing columns a change of tariffs or customers altered, until they are exported
create table if not exists repriced_months (
  month varchar not null,
  run_id bigint not null
);
-- what the month's reports were made of when last written (sql/reports/month_fingerprint.sql)
alter table exported_months add column if not exists content_sha varchar;
create table if not exists payload_violations (
  file_id bigint not null,
  line_no bigint not null,
  severity varchar not null,
  reason varchar not null
);
`;

export async function ensureRawLayer(db: Db): Promise<void> {
  await db.run(RAW_LAYER_DDL);
}
