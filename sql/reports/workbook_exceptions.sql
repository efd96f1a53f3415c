-- The workbook's Exceptions sheet: what finance must not bill blindly in $month. Stops without a
-- start and flagged transactions of the month, and every transaction still open at the end of the
-- data that started in or before the month (it is billed in the month it stops, not now).
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
        month,
        transaction_status,
        flags,
    from fct_transactions
)

select
    transaction_status,
    coalesce(flags, []) as flags,
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
from fct_transactions
where (
        month = $month
        and (transaction_status <> 'completed' or coalesce(len(flags), 0) > 0)
    )
    or (
        transaction_status = 'open'
        and strftime(started_at at time zone getvariable('report_timezone'), '%Y-%m') <= $month
    )
order by transaction_status, charge_point_id, coalesce(stopped_at, started_at), transaction_id
