-- The part of $month the warehouse has data for: from its first line to its newest, clipped to the
-- month, as local wall-clock text. Before the first line and after the newest one nothing is
-- known, so the month page shows "no data" there rather than zero charge points online.
with

base_ocpp__messages as (
    select
        logged_at,
    from base_ocpp__messages
),

month_bounds as (
    select
        -- the month's first instant and the next month's, in the report time zone (jobs/models/run-models.ts)
        local_midnight_at(strptime($month, '%Y-%m')) as month_start_at,
        local_midnight_at(strptime($month, '%Y-%m') + interval 1 month) as month_end_at,
),

extent as (
    select
        min(logged_at) as first_logged_at,
        max(logged_at) as newest_logged_at,
    from base_ocpp__messages
)

select
    strftime(
        greatest(extent.first_logged_at, month_bounds.month_start_at) at time zone getvariable('report_timezone'),
        '%Y-%m-%dT%H:%M:%S'
    ) as data_from_local,
    strftime(
        least(extent.newest_logged_at, month_bounds.month_end_at) at time zone getvariable('report_timezone'),
        '%Y-%m-%dT%H:%M:%S'
    ) as data_until_local,
from extent
cross join month_bounds
where extent.first_logged_at < month_bounds.month_end_at
    and extent.newest_logged_at >= month_bounds.month_start_at
