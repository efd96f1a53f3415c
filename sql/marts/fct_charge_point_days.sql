-- One row per charge point and day (in the report time zone) on which it exchanged a message,
-- was online, or started or stopped a session. Online follows the offline rule of `query active`:
-- a charge point is online from each message until the next one, or until twice its heartbeat
-- interval (600 s when unknown) has passed without one. Energy is that of the completed sessions
-- stopped that day, so the days of a month add up to that month's transactions.
with

base_ocpp__messages as (
    select
        charge_point_id,
        logged_at,
        message_type_id,
        action,
    from base_ocpp__messages
),

dim_charge_points as (
    select
        charge_point_id,
        heartbeat_interval_s,
    from dim_charge_points
),

int_transaction_starts as (
    select
        charge_point_id,
        started_at,
        start_logged_at,
    from int_transaction_starts
    where transaction_id is not null
),

fct_transactions as (
    select
        charge_point_id,
        stopped_at,
        energy_wh,
    from fct_transactions
    where transaction_status = 'completed'
),

messages as (
    select
        charge_point_id,
        logged_at,
        message_type_id,
        action,
        cast(logged_at at time zone getvariable('report_timezone') as date) as day,
    from base_ocpp__messages
),

message_days as (
    select
        charge_point_id,
        day,
        min(logged_at) as first_seen_at,
        max(logged_at) as last_seen_at,
        count(*) as messages,
        count(*) filter (where message_type_id = 2 and action = 'Heartbeat') as heartbeats,
        count(*) filter (where message_type_id = 2 and action = 'BootNotification') as boots,
    from messages
    group by charge_point_id, day
),

online_spans as (
    select
        messages.charge_point_id,
        messages.logged_at as online_from,
        -- least() skips the null lead of the last message: it stays online for the threshold
        least(
            lead(messages.logged_at) over (partition by messages.charge_point_id order by messages.logged_at),
            messages.logged_at + to_seconds(coalesce(2 * dim_charge_points.heartbeat_interval_s, 600))
        ) as online_until,
    from messages
    left join dim_charge_points
        on messages.charge_point_id = dim_charge_points.charge_point_id
),

span_days as (
    select
        charge_point_id,
        online_from,
        online_until,
        cast(online_from at time zone getvariable('report_timezone') as date)
            + cast(unnest(generate_series(
                0,
                date_diff(
                    'day',
                    cast(online_from at time zone getvariable('report_timezone') as date),
                    cast(online_until at time zone getvariable('report_timezone') as date)
                )
            )) as integer) as day,
    from online_spans
    where online_until > online_from
),

online_days as (
    select
        charge_point_id,
        day,
        -- a local day is 23, 24 or 25 hours long: its bounds come from the time zone, not from arithmetic
        cast(sum(greatest(
            0,
            epoch_us(least(online_until, timezone(getvariable('report_timezone'), cast(day + 1 as timestamp))))
                - epoch_us(greatest(online_from, timezone(getvariable('report_timezone'), cast(day as timestamp))))
        )) // 1000000 as bigint) as online_s,
    from span_days
    group by charge_point_id, day
),

start_days as (
    select
        charge_point_id,
        cast(coalesce(started_at, start_logged_at) at time zone getvariable('report_timezone') as date) as day,
        count(*) as sessions_started,
    from int_transaction_starts
    group by charge_point_id, day
),

stop_days as (
    select
        charge_point_id,
        cast(stopped_at at time zone getvariable('report_timezone') as date) as day,
        count(*) as sessions_stopped,
        cast(sum(energy_wh) as bigint) as energy_wh,
    from fct_transactions
    where stopped_at is not null
    group by charge_point_id, day
),

charge_point_days as (
    select charge_point_id, day, from message_days
    union
    select charge_point_id, day, from online_days
    union
    select charge_point_id, day, from start_days
    union
    select charge_point_id, day, from stop_days
)

select
    charge_point_days.charge_point_id,
    charge_point_days.day,
    message_days.first_seen_at,
    message_days.last_seen_at,
    coalesce(message_days.messages, 0) as messages,
    coalesce(message_days.heartbeats, 0) as heartbeats,
    coalesce(message_days.boots, 0) as boots,
    coalesce(start_days.sessions_started, 0) as sessions_started,
    coalesce(stop_days.sessions_stopped, 0) as sessions_stopped,
    coalesce(stop_days.energy_wh, 0) as energy_wh,
    cast(coalesce(stop_days.energy_wh, 0) / 1000 as double) as energy_kwh,
    coalesce(online_days.online_s, 0) as online_s,
    cast(coalesce(online_days.online_s, 0) / 60 as double) as online_minutes,
    strftime(charge_point_days.day, '%Y-%m') as month,
from charge_point_days
left join message_days
    on charge_point_days.charge_point_id = message_days.charge_point_id
    and charge_point_days.day = message_days.day
left join online_days
    on charge_point_days.charge_point_id = online_days.charge_point_id
    and charge_point_days.day = online_days.day
left join start_days
    on charge_point_days.charge_point_id = start_days.charge_point_id
    and charge_point_days.day = start_days.day
left join stop_days
    on charge_point_days.charge_point_id = stop_days.charge_point_id
    and charge_point_days.day = stop_days.day
