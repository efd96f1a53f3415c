-- The status page's header: the newest line received at or before $as_of, its age, and after how
-- long a silent feed is stale: the longest offline threshold of any charge point (the rule of
-- `query active`: twice the heartbeat interval, 600 s when unknown). A feed silent for longer has
-- turned every charge point offline by itself, so the fault is the feed, not the network.
with

base_ocpp__messages as (
    select
        logged_at,
    from base_ocpp__messages
),

dim_charge_points as (
    select
        heartbeat_interval_s,
    from dim_charge_points
),

newest as (
    select
        max(logged_at) as newest_logged_at,
    from base_ocpp__messages
    where logged_at <= $as_of
),

thresholds as (
    select
        coalesce(max(coalesce(2 * cast(heartbeat_interval_s as bigint), 600)), 600) as stale_after_s,
    from dim_charge_points
)

select
    newest.newest_logged_at,
    (epoch_us($as_of) - epoch_us(newest.newest_logged_at)) // 1000000 as newest_age_s,
    thresholds.stale_after_s,
from newest
cross join thresholds
