-- How many charge points were online over $month, as a step function: one row per change. A
-- charge point is online from each message to or from it until twice its heartbeat interval
-- (dim_charge_points, 600 s when unknown) passes without another; the same rule as `query active`.
-- One row per second at most: the count after the last change within that second.
with

base_ocpp__messages as (
    select
        charge_point_id,
        logged_at,
    from base_ocpp__messages
),

dim_charge_points as (
    select
        charge_point_id,
        first_seen_at,
        heartbeat_interval_s,
    from dim_charge_points
),

month_bounds as (
    select
        -- the month's first instant and the next month's, in the report time zone (jobs/models/run-models.ts)
        local_midnight_at(strptime($month, '%Y-%m')) as month_start_at,
        local_midnight_at(strptime($month, '%Y-%m') + interval 1 month) as month_end_at,
),

thresholds as (
    select
        charge_point_id,
        first_seen_at,
        coalesce(2 * cast(heartbeat_interval_s as bigint), 600) as offline_after_s,
    from dim_charge_points
),

messages as (
    select
        base_ocpp__messages.charge_point_id,
        base_ocpp__messages.logged_at,
        thresholds.offline_after_s,
    from base_ocpp__messages
    inner join thresholds
        on base_ocpp__messages.charge_point_id = thresholds.charge_point_id
    cross join month_bounds
    where base_ocpp__messages.logged_at < month_bounds.month_end_at
        and base_ocpp__messages.logged_at >= month_bounds.month_start_at - to_seconds(thresholds.offline_after_s)
),

neighbours as (
    select
        charge_point_id,
        logged_at,
        offline_after_s,
        lag(logged_at) over (partition by charge_point_id order by logged_at) as previous_at,
        lead(logged_at) over (partition by charge_point_id order by logged_at) as next_at,
    from messages
),

-- only the messages that open or close a segment: one window pass over the month's messages,
-- then few rows (materialized: read twice below, the window must not run twice); gaps compared
-- in microseconds, not as intervals, which are slow to compare
segment_edges as materialized (
    select
        charge_point_id,
        logged_at,
        offline_after_s,
        previous_at is null or epoch_us(logged_at) - epoch_us(previous_at) > offline_after_s * 1000000 as opens_segment,
        next_at is null or epoch_us(next_at) - epoch_us(logged_at) > offline_after_s * 1000000 as closes_segment,
    from neighbours
    where previous_at is null
        or epoch_us(logged_at) - epoch_us(previous_at) > offline_after_s * 1000000
        or next_at is null
        or epoch_us(next_at) - epoch_us(logged_at) > offline_after_s * 1000000
),

segment_openings as (
    select
        charge_point_id,
        logged_at as first_message_at,
        row_number() over (partition by charge_point_id order by logged_at) as segment_no,
    from segment_edges
    where opens_segment
),

segment_closings as (
    select
        charge_point_id,
        logged_at + to_seconds(offline_after_s) as offline_at,
        row_number() over (partition by charge_point_id order by logged_at) as segment_no,
    from segment_edges
    where closes_segment
),

-- segments do not overlap: the n-th opening pairs with the n-th closing
segments as (
    select
        segment_openings.charge_point_id,
        segment_openings.first_message_at,
        segment_closings.offline_at,
    from segment_openings
    inner join segment_closings
        on segment_openings.charge_point_id = segment_closings.charge_point_id
        and segment_openings.segment_no = segment_closings.segment_no
),

clipped_segments as (
    select
        segments.charge_point_id,
        greatest(segments.first_message_at, month_bounds.month_start_at) as online_from,
        least(segments.offline_at, month_bounds.month_end_at) as online_until,
    from segments
    cross join month_bounds
),

changes as (
    select
        online_from as changed_at,
        1 as delta,
    from clipped_segments
    union all
    -- a charge point still online at the end of the month has not gone offline: no change there
    select
        clipped_segments.online_until as changed_at,
        -1 as delta,
    from clipped_segments
    cross join month_bounds
    where clipped_segments.online_until < month_bounds.month_end_at
    union all
    select
        month_start_at as changed_at,
        0 as delta,
    from month_bounds
    union all
    select
        month_end_at as changed_at,
        0 as delta,
    from month_bounds
),

per_instant as (
    select
        changed_at,
        sum(delta) as delta,
    from changes
    group by changed_at
),

known as (
    select
        count(*) as known_charge_points,
    from thresholds
    cross join month_bounds
    where thresholds.first_seen_at < month_bounds.month_end_at
)

select
    strftime(per_instant.changed_at at time zone getvariable('report_timezone'), '%Y-%m-%dT%H:%M:%S')
        as changed_local,
    sum(per_instant.delta) over (order by per_instant.changed_at rows unbounded preceding)::integer
        as online_charge_points,
    known.known_charge_points::integer as known_charge_points,
from per_instant
cross join known
cross join month_bounds
where per_instant.changed_at <= month_bounds.month_end_at
-- changes within one second share a local time to the second: a chart would draw them as one
-- vertical spike, so only the count after the last of them is kept
qualify row_number() over (partition by changed_local order by per_instant.changed_at desc) = 1
order by per_instant.changed_at
