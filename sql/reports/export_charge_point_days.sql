-- The rows of fct_charge_point_days exported for one month (days in the report time zone),
-- sorted by charge point then day so row-group statistics prune on both.
with

fct_charge_point_days as (
    select
        charge_point_id,
        day,
        first_seen_at,
        last_seen_at,
        messages,
        heartbeats,
        boots,
        sessions_started,
        sessions_stopped,
        energy_wh,
        energy_kwh,
        online_s,
        online_minutes,
        month,
    from fct_charge_point_days
)

select
    charge_point_id,
    day,
    first_seen_at,
    last_seen_at,
    messages,
    heartbeats,
    boots,
    sessions_started,
    sessions_stopped,
    energy_wh,
    energy_kwh,
    online_s,
    online_minutes,
    month,
from fct_charge_point_days
where month = $month
order by charge_point_id, day
