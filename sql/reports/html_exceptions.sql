-- Transactions of $month that are not billed: stops whose start is not in the data (by stop
-- month) and sessions never stopped (by start month). Times as text in the report time zone.
with

fct_transactions as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        started_at,
        stopped_at,
        meter_start_wh,
        meter_stop_wh,
        stop_reason,
        month,
        transaction_status,
    from fct_transactions
),

exceptions as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        started_at,
        stopped_at,
        meter_start_wh,
        meter_stop_wh,
        stop_reason,
        transaction_status,
    from fct_transactions
    where (transaction_status = 'open'
            and strftime(started_at at time zone getvariable('report_timezone'), '%Y-%m') = $month)
        or (transaction_status = 'stop_without_start' and month = $month)
)

select
    charge_point_id,
    transaction_id,
    connector_id,
    id_tag,
    strftime(started_at at time zone getvariable('report_timezone'), '%Y-%m-%d %H:%M:%S') as started_local,
    strftime(stopped_at at time zone getvariable('report_timezone'), '%Y-%m-%d %H:%M:%S') as stopped_local,
    meter_start_wh,
    meter_stop_wh,
    stop_reason,
    transaction_status,
from exceptions
order by charge_point_id, coalesce(started_at, stopped_at), transaction_id
