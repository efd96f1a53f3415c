-- Charging hours by weekday and hour of day in the report time zone, for the completed sessions
-- of $month (by stop month, so the cells add up to the month's charging hours). Each session is
-- cut at every quarter hour: every IANA offset is a whole number of quarter hours, so each piece
-- lies within one local hour, also across daylight-saving changes.
with

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
from cells
left join per_cell
    on cells.iso_weekday = per_cell.iso_weekday
    and cells.hour_of_day = per_cell.hour_of_day
order by cells.iso_weekday, cells.hour_of_day
