-- Energy and sessions per day of $month for the HTML report: completed sessions by the day their
-- stop falls on in the report time zone (the day they are billed), every day of the month present.
with

fct_transactions as (
    select
        stopped_at,
        energy_wh,
        month,
        transaction_status,
    from fct_transactions
    where month = $month
        and transaction_status = 'completed'
),

month_days as (
    select
        cast(day as date) as day,
    from range(
        strptime($month || '-01', '%Y-%m-%d'),
        strptime($month || '-01', '%Y-%m-%d') + interval 1 month,
        interval 1 day
    ) as days(day)
),

per_day as (
    select
        cast(stopped_at at time zone getvariable('report_timezone') as date) as day,
        count(*) as sessions,
        sum(energy_wh) as energy_wh,
    from fct_transactions
    group by cast(stopped_at at time zone getvariable('report_timezone') as date)
)

select
    strftime(month_days.day, '%Y-%m-%d') as day,
    coalesce(per_day.sessions, 0) as sessions,
    coalesce(per_day.energy_wh, 0)::bigint as energy_wh,
from month_days
left join per_day
    on month_days.day = per_day.day
order by month_days.day
