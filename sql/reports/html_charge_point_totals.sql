-- Sessions, energy and charging time per charge point for $month (completed sessions, by stop
-- month). Every charge point heard from during the month is listed, with zeros if it did not charge.
with

fct_transactions as (
    select
        charge_point_id,
        duration_s,
        energy_wh,
        month,
        transaction_status,
    from fct_transactions
    where month = $month
        and transaction_status = 'completed'
),

dim_charge_points as (
    select
        charge_point_id,
        first_seen_at,
        last_seen_at,
    from dim_charge_points
),

month_bounds as (
    select
        -- the month's first instant and the next month's, in the report time zone (jobs/models/run-models.ts)
        local_midnight_at(strptime($month, '%Y-%m')) as month_start_at,
        local_midnight_at(strptime($month, '%Y-%m') + interval 1 month) as month_end_at,
),

seen_in_month as (
    select
        dim_charge_points.charge_point_id,
    from dim_charge_points
    cross join month_bounds
    where dim_charge_points.first_seen_at < month_bounds.month_end_at
        and dim_charge_points.last_seen_at >= month_bounds.month_start_at
),

per_charge_point as (
    select
        charge_point_id,
        count(*) as sessions,
        sum(energy_wh) as energy_wh,
        sum(duration_s) as duration_s,
    from fct_transactions
    group by charge_point_id
),

charge_points as (
    select
        charge_point_id,
    from seen_in_month
    union
    select
        charge_point_id,
    from per_charge_point
)

select
    charge_points.charge_point_id,
    coalesce(per_charge_point.sessions, 0) as sessions,
    coalesce(per_charge_point.energy_wh, 0)::bigint as energy_wh,
    coalesce(per_charge_point.duration_s, 0)::bigint as duration_s,
from charge_points
left join per_charge_point
    on charge_points.charge_point_id = per_charge_point.charge_point_id
order by charge_points.charge_point_id
