-- One row per charge point and day (in the report time zone) on which it exchanged a message,
-- was online, or started or stopped a session. Online follows the offline rule of `query active`:
-- a charge point is online from each message until the next one, or until twice its heartbeat
-- interval (600 s when unknown) has passed without one. Energy is that of the completed sessions
-- stopped that day, so the days of a month add up to that month's transactions.
--
-- An incremental run recomputes, for each charge point its files touch, every day from the
-- first one they can change: the day of its first new message (an earlier day's share of an
-- online span ends at midnight whatever follows), of any session they start or stop, and all of
-- its days after a new boot (its heartbeat interval, so every offline threshold, may change).
-- materialized: incremental
-- unique_key: charge_point_id, day
with

run_changed_files as (
    select
        file_id,
    from run_changed_files
),

-- not materialized: each reader filters it its own way (the run's files by a constant file id, so
-- DuckDB skips older row groups); materialized, every message ever kept was copied on every run
base_ocpp__messages as not materialized (
    select
        file_id,
        charge_point_id,
        logged_at,
        message_type_id,
        action,
    from base_ocpp__messages
),

int_ocpp__replies as (
    select
        file_id,
        charge_point_id,
        action,
    from int_ocpp__replies
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
        start_file_id,
    from int_transaction_starts
    where transaction_id is not null
),

fct_transactions as (
    select
        charge_point_id,
        started_at,
        stopped_at,
        energy_wh,
        transaction_status,
        start_file_id,
        stop_file_id,
    from fct_transactions
),

offline_thresholds as (
    select
        charge_point_id,
        to_seconds(coalesce(2 * cast(heartbeat_interval_s as bigint), 600)) as offline_after,
    from dim_charge_points
),

-- empty in a full build: the first local day each charge point needs recomputed
recompute_from as (
    select
        charge_point_id,
        cast(min(logged_at) at time zone getvariable('report_timezone') as date) as from_day,
    from base_ocpp__messages
    where getvariable('is_incremental')
        and file_id >= getvariable('first_changed_file_id')
        and file_id in (select run_changed_files.file_id from run_changed_files)
    group by charge_point_id
    union all
    select
        charge_point_id,
        date '0001-01-01' as from_day,
    from base_ocpp__messages
    where getvariable('is_incremental')
        and file_id >= getvariable('first_changed_file_id')
        and file_id in (select run_changed_files.file_id from run_changed_files)
        and message_type_id = 2
        and action = 'BootNotification'
    union all
    select
        charge_point_id,
        date '0001-01-01' as from_day,
    from int_ocpp__replies
    where getvariable('is_incremental')
        and file_id >= getvariable('first_changed_file_id')
        and file_id in (select run_changed_files.file_id from run_changed_files)
        and action = 'BootNotification'
    union all
    select
        charge_point_id,
        cast(coalesce(started_at, start_logged_at) at time zone getvariable('report_timezone') as date) as from_day,
    from int_transaction_starts
    where getvariable('is_incremental')
        and start_file_id >= getvariable('first_changed_file_id')
        and start_file_id in (select run_changed_files.file_id from run_changed_files)
    union all
    select
        charge_point_id,
        cast(least(started_at, stopped_at) at time zone getvariable('report_timezone') as date) as from_day,
    from fct_transactions
    where getvariable('is_incremental')
        and stop_file_id >= getvariable('first_changed_file_id')
        and stop_file_id in (select run_changed_files.file_id from run_changed_files)
),

recompute_windows as (
    select
        recompute_from.charge_point_id,
        min(recompute_from.from_day) as from_day,
        -- messages from here on cover every online span that reaches from_day
        local_midnight_at(min(recompute_from.from_day))
            - coalesce(min(offline_thresholds.offline_after), to_seconds(600)) as messages_from,
    from recompute_from
    left join offline_thresholds
        on recompute_from.charge_point_id = offline_thresholds.charge_point_id
    group by recompute_from.charge_point_id
),

completed_transactions as (
    select
        charge_point_id,
        stopped_at,
        energy_wh,
    from fct_transactions
    where transaction_status = 'completed'
),

messages as (
    select
        base_ocpp__messages.charge_point_id,
        base_ocpp__messages.logged_at,
        base_ocpp__messages.message_type_id,
        base_ocpp__messages.action,
        cast(base_ocpp__messages.logged_at at time zone getvariable('report_timezone') as date) as day,
    from base_ocpp__messages
    left join recompute_windows
        on base_ocpp__messages.charge_point_id = recompute_windows.charge_point_id
    where getvariable('is_incremental') is not true
        or base_ocpp__messages.logged_at >= recompute_windows.messages_from
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

-- each local day a message falls on, with its bounds: converted once per day, not per message
-- (a local day is 23, 24 or 25 hours long: its bounds come from the time zone, not arithmetic;
-- local_midnight_at is its first instant where midnight comes twice, jobs/models/run-models.ts)
local_days as (
    select
        day,
        epoch_us(local_midnight_at(day)) as day_start_us,
        epoch_us(local_midnight_at(day + 1)) as next_day_start_us,
    from (select distinct messages.day from messages)
),

-- in microseconds since the epoch: timestamp arithmetic with intervals goes through the time
-- zone library for every row
online_spans as (
    select
        messages.charge_point_id,
        messages.day,
        epoch_us(messages.logged_at) as online_from_us,
        -- least() skips the null lead of the last message: it stays online for the threshold
        least(
            lead(epoch_us(messages.logged_at)) over (partition by messages.charge_point_id order by messages.logged_at),
            epoch_us(messages.logged_at) + coalesce(2 * cast(dim_charge_points.heartbeat_interval_s as bigint), 600) * 1000000
        ) as online_until_us,
    from messages
    left join dim_charge_points
        on messages.charge_point_id = dim_charge_points.charge_point_id
),

first_day_shares as (
    select
        online_spans.charge_point_id,
        online_spans.day,
        least(online_spans.online_until_us, local_days.next_day_start_us) - online_spans.online_from_us as online_us,
        online_spans.online_from_us,
        online_spans.online_until_us,
        online_spans.online_until_us > local_days.next_day_start_us as continues_next_day,
    from online_spans
    inner join local_days
        on online_spans.day = local_days.day
    where online_spans.online_until_us > online_spans.online_from_us
),

-- the few spans that run past midnight: their share of each later day they reach
later_days as (
    select
        charge_point_id,
        online_from_us,
        online_until_us,
        day + cast(unnest(generate_series(
            1,
            date_diff(
                'day',
                day,
                cast(timezone('UTC', make_timestamp(online_until_us)) at time zone getvariable('report_timezone') as date)
            )
        )) as integer) as day,
    from first_day_shares
    where continues_next_day
),

later_day_shares as (
    select
        charge_point_id,
        day,
        least(online_until_us, epoch_us(local_midnight_at(day + 1)))
            - greatest(online_from_us, epoch_us(local_midnight_at(day)))
            as online_us,
    from later_days
),

day_shares as (
    select
        charge_point_id,
        day,
        online_us,
    from first_day_shares
    union all
    select
        charge_point_id,
        day,
        online_us,
    from later_day_shares
),

online_days as (
    select
        charge_point_id,
        day,
        cast(sum(greatest(0, online_us)) // 1000000 as bigint) as online_s,
    from day_shares
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
    from completed_transactions
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
left join recompute_windows
    on charge_point_days.charge_point_id = recompute_windows.charge_point_id
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
where getvariable('is_incremental') is not true
    or charge_point_days.day >= recompute_windows.from_day
