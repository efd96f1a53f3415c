-- Sessions of $month that carry at least one data-quality flag, in the same scope as the
-- headline figures (html_month_summary). Run only when fct_transactions has a flags column.
with

fct_transactions as (
    select
        charge_point_id,
        transaction_id,
        id_tag,
        started_at,
        stopped_at,
        energy_wh,
        month,
        transaction_status,
        flags,
    from fct_transactions
),

flagged as (
    select
        charge_point_id,
        transaction_id,
        id_tag,
        started_at,
        stopped_at,
        energy_wh,
        transaction_status,
        flags,
    from fct_transactions
    where len(flags) > 0
        and (
            (transaction_status = 'open'
                and strftime(started_at at time zone getvariable('report_timezone'), '%Y-%m') = $month)
            or (transaction_status <> 'open' and month = $month)
        )
)

select
    charge_point_id,
    transaction_id,
    id_tag,
    strftime(started_at at time zone getvariable('report_timezone'), '%Y-%m-%d %H:%M:%S') as started_local,
    strftime(stopped_at at time zone getvariable('report_timezone'), '%Y-%m-%d %H:%M:%S') as stopped_local,
    energy_wh,
    transaction_status,
    array_to_string(list_sort(flags), ', ') as flags,
from flagged
order by charge_point_id, coalesce(started_at, stopped_at), transaction_id
