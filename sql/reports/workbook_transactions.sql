-- The workbook's Transactions sheet: one row per completed (billed) transaction whose stop falls
-- in $month, in the same order as the Parquet month. Times are wall-clock times in the report
-- time zone, truncated to the second: a spreadsheet rounds seconds when it displays them, which
-- would show 23:59:59.7 on the last day as midnight of the next month. The writer reads a big
-- month in ranges of charge points ($batch_from inclusive, $batch_to exclusive, null = open),
-- so DuckDB sorts one range at a time.
with

fct_transactions as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        started_at,
        stopped_at,
        duration_s,
        meter_start_wh,
        meter_stop_wh,
        energy_wh,
        energy_kwh,
        stop_reason,
        last_register_wh,
        last_register_sampled_at,
        month,
        transaction_status,
        flags,
    from fct_transactions
)

select
    charge_point_id,
    transaction_id,
    connector_id,
    id_tag,
    date_trunc('second', started_at at time zone getvariable('report_timezone')) as started_local,
    date_trunc('second', stopped_at at time zone getvariable('report_timezone')) as stopped_local,
    duration_s,
    meter_start_wh,
    meter_stop_wh,
    energy_wh,
    energy_kwh,
    stop_reason,
    last_register_wh,
    date_trunc('second', last_register_sampled_at at time zone getvariable('report_timezone'))
        as last_register_sampled_local,
    transaction_status,
    coalesce(flags, []) as flags,
from fct_transactions
where month = $month
    and transaction_status = 'completed'
    and ($batch_from is null or charge_point_id >= $batch_from)
    and ($batch_to is null or charge_point_id < $batch_to)
order by charge_point_id, stopped_at, transaction_id
