-- Headline figures of the monthly HTML report for $month. Completed sessions are counted in the
-- month their stop falls in (as billed); an open session has no stop, so it is counted in the
-- month it started in; a stop without a start in its stop month. Times in the report time zone.
with

fct_transactions as (
    select
        charge_point_id,
        started_at,
        duration_s,
        energy_wh,
        month,
        transaction_status,
    from fct_transactions
),

scoped as (
    select
        charge_point_id,
        duration_s,
        energy_wh,
        transaction_status,
    from fct_transactions
    where (transaction_status = 'open'
            and strftime(started_at at time zone getvariable('report_timezone'), '%Y-%m') = $month)
        or (transaction_status <> 'open' and month = $month)
)

select
    count(*) filter (where transaction_status = 'completed') as completed_sessions,
    coalesce(sum(energy_wh) filter (where transaction_status = 'completed'), 0)::bigint as energy_wh,
    coalesce(sum(duration_s) filter (where transaction_status = 'completed'), 0)::bigint as duration_s,
    count(distinct charge_point_id) filter (where transaction_status = 'completed') as active_charge_points,
    count(*) filter (where transaction_status = 'open') as open_sessions,
    count(*) filter (where transaction_status = 'stop_without_start') as stops_without_start,
from scoped
