-- The days (report time zone, YYYY-MM-DD) whose meter samples can differ after this run: days
-- sampled by a line of this run, and the days of the samples whose start this run can change
-- (int_run_touched_transactions: a touched id's samples from its changed start on; a sample
-- belongs to the latest start with its id logged at or before it). Samples are read from
-- staging, not attributed again: only their times and keys matter here.
with

run_changed_files as (
    select
        file_id,
    from run_changed_files
),

-- not materialized: read by both branches of touched_samples, each filtered its own way
stg_ocpp__meter_values as not materialized (
    select
        file_id,
        charge_point_id,
        transaction_id,
        logged_at,
        sampled_at,
    from stg_ocpp__meter_values
),

-- rebuilt by every run that builds models; a run that built none changed no sample
int_run_touched_transactions as (
    select
        charge_point_id,
        transaction_id,
        samples_from_logged_at,
    from int_run_touched_transactions
    where samples_from_logged_at is not null
        and exists (select 1 from run_changed_files)
),

touched_samples as (
    select
        logged_at,
        sampled_at,
    from stg_ocpp__meter_values
    where file_id >= coalesce(getvariable('first_changed_file_id'), 0)
        and file_id in (select run_changed_files.file_id from run_changed_files)
    union all
    select
        samples.logged_at,
        samples.sampled_at,
    from stg_ocpp__meter_values as samples
    semi join int_run_touched_transactions
        on samples.charge_point_id = int_run_touched_transactions.charge_point_id
        and samples.transaction_id = int_run_touched_transactions.transaction_id
        and samples.logged_at >= int_run_touched_transactions.samples_from_logged_at
)

select distinct
    strftime(coalesce(sampled_at, logged_at) at time zone getvariable('report_timezone'), '%Y-%m-%d') as day,
from touched_samples
order by day
