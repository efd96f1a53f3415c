-- Charging hours by weekday and hour of day in the report time zone, for the completed sessions
-- of $month (by stop month, so the cells add up to the month's charging hours). Each session is
-- cut at every quarter hour: every IANA offset is a whole number of quarter hours, so each piece
-- lies within one local hour, also across daylight-saving changes. A weekday that occurs five
-- times in the month would look busier than one that occurs four times, so each cell also carries
-- the number of such weekdays in the month that the warehouse has data for, and the average
-- charging hours per such day.
with

base_ocpp__messages as (
    select
        logged_at,
    from base_ocpp__messages
),

fct_transactions as (
    select
        charge_point_id,
        transaction_id,
        started_at,
        stopped_at,
        month,
        transaction_status,
    from fct_transactions
    where month = $month
        and transaction_status = 'completed'
        and stopped_at > started_at
),

pieces as (
    select
        greatest(quarter_start, fct_transactions.started_at) as piece_start,
        least(quarter_start + interval 15 minute, fct_transactions.stopped_at) as piece_end,
    from fct_transactions
    cross join unnest(
        generate_series(
            time_bucket(interval 15 minute, fct_transactions.started_at),
            fct_transactions.stopped_at,
            interval 15 minute
        )
    ) as quarters(quarter_start)
    where quarter_start < fct_transactions.stopped_at
),

per_cell as (
    select
        isodow(piece_start at time zone getvariable('report_timezone')) as iso_weekday,
        hour(piece_start at time zone getvariable('report_timezone')) as hour_of_day,
        sum(epoch_us(piece_end) - epoch_us(piece_start)) / 3600e6 as charging_hours,
    from pieces
    group by iso_weekday, hour_of_day
),

-- the local days of the month the warehouse has lines for: a month whose data begins on the 20th
-- averages over the days from the 20th
covered_days as (
    select
        greatest(
            strptime($month || '-01', '%Y-%m-%d'),
            date_trunc('day', min(logged_at) at time zone getvariable('report_timezone'))
        ) as first_day,
        least(
            strptime($month || '-01', '%Y-%m-%d') + interval 1 month - interval 1 day,
            date_trunc('day', max(logged_at) at time zone getvariable('report_timezone'))
        ) as last_day,
    from base_ocpp__messages
),

days as (
    select
        isodow(day) as iso_weekday,
    from covered_days
    cross join unnest(generate_series(covered_days.first_day, covered_days.last_day, interval 1 day)) as days(day)
),

month_days as (
    select
        weekdays.iso_weekday,
        count(days.iso_weekday) as weekday_days,
    from range(1, 8) as weekdays(iso_weekday)
    left join days
        on weekdays.iso_weekday = days.iso_weekday
    group by weekdays.iso_weekday
),

cells as (
    select
        iso_weekday,
        hour_of_day,
    from range(1, 8) as weekdays(iso_weekday)
    cross join range(0, 24) as hours(hour_of_day)
)

select
    cells.iso_weekday::integer as iso_weekday,
    cells.hour_of_day::integer as hour_of_day,
    coalesce(per_cell.charging_hours, 0)::double as charging_hours,
    month_days.weekday_days::integer as weekday_days,
    coalesce(per_cell.charging_hours / nullif(month_days.weekday_days, 0), 0)::double as avg_charging_hours_per_day,
from cells
inner join month_days
    on cells.iso_weekday = month_days.iso_weekday
left join per_cell
    on cells.iso_weekday = per_cell.iso_weekday
    and cells.hour_of_day = per_cell.hour_of_day
order by cells.iso_weekday, cells.hour_of_day
