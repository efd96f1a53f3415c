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
        customer_id,
        customer_name,
        tariff_id,
        currency,
        amount_excl_vat,
        vat_amount,
        amount_incl_vat,
        flags,
        start_file_id,
        start_line_no,
        stop_file_id,
        stop_line_no,
    from fct_transactions
)

select
    charge_point_id,
    transaction_id,
    connector_id,
    id_tag,
    date_trunc('second', started_at at time zone getvariable('report_timezone')) as started_local,
    -- Stop is shown as Start + the charge time, so that Stop − Start in a spreadsheet is the charge
    -- time shown and billed (duration_s, whole seconds truncated). Truncating both instants instead
    -- would make the difference a second longer whenever the stop's fraction is below the start's.
    -- It reads at most a second or two before the logged stop; Parquet keeps stopped_at exactly.
    date_trunc('second', started_at at time zone getvariable('report_timezone')) + to_seconds(duration_s)
        as stopped_local,
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
    customer_id,
    customer_name,
    tariff_id,
    currency,
    amount_excl_vat,
    vat_amount,
    amount_incl_vat,
    start_file_id,
    start_line_no,
    stop_file_id,
    stop_line_no,
from fct_transactions
where month = $month
    and transaction_status = 'completed'
    and ($batch_from is null or charge_point_id >= $batch_from)
    and ($batch_to is null or charge_point_id < $batch_to)
order by charge_point_id, stopped_at, transaction_id
