-- Operator question 1: charge points active at $as_of. A charge point is active when its last
-- message at or before $as_of is within the offline threshold: $offline_after_s, or else twice
-- the heartbeat interval from its latest BootNotification reply (10 minutes when none is known).
-- Reported with its latest connector status and its open transaction, if any.
with

base_ocpp__messages as (
    select
        charge_point_id,
        logged_at,
    from base_ocpp__messages
),

stg_ocpp__status_notifications as (
    select
        charge_point_id,
        logged_at,
        connector_id,
        status,
    from stg_ocpp__status_notifications
),

int_transactions as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        started_at,
        start_logged_at,
        stop_logged_at,
    from int_transactions
),

dim_charge_points as (
    select
        charge_point_id,
        heartbeat_interval_s,
    from dim_charge_points
),

last_message as (
    select
        charge_point_id,
        max(logged_at) as last_seen_at,
    from base_ocpp__messages
    where logged_at <= $as_of
    group by charge_point_id
),

connector_status as (
    select
        charge_point_id,
        connector_id,
        status,
        logged_at,
    from stg_ocpp__status_notifications
    where logged_at <= $as_of
    qualify row_number() over (partition by charge_point_id, connector_id order by logged_at desc) = 1
),

latest_status as (
    select
        charge_point_id,
        status,
    from connector_status
    qualify row_number() over (partition by charge_point_id order by logged_at desc, connector_id desc) = 1
),

open_transactions as (
    select
        charge_point_id,
        transaction_id as open_transaction_id,
        connector_id as open_connector_id,
        started_at as open_transaction_started_at,
    from int_transactions
    where start_logged_at <= $as_of
        and (stop_logged_at is null or stop_logged_at > $as_of)
    qualify row_number() over (partition by charge_point_id order by start_logged_at desc) = 1
),

with_threshold as (
    select
        last_message.charge_point_id,
        last_message.last_seen_at,
        coalesce($offline_after_s, 2 * cast(dim_charge_points.heartbeat_interval_s as bigint), 600) as offline_after_s,
    from last_message
    left join dim_charge_points
        on last_message.charge_point_id = dim_charge_points.charge_point_id
)

select
    with_threshold.charge_point_id,
    with_threshold.last_seen_at,
    open_transactions.open_transaction_id,
    -- the state of the connector that is charging, else of the connector that changed last
    coalesce(open_connector_status.status, latest_status.status) as status,
    open_transactions.open_connector_id,
    open_transactions.open_transaction_started_at,
    with_threshold.offline_after_s,
from with_threshold
left join latest_status
    on with_threshold.charge_point_id = latest_status.charge_point_id
left join open_transactions
    on with_threshold.charge_point_id = open_transactions.charge_point_id
left join connector_status as open_connector_status
    on open_transactions.charge_point_id = open_connector_status.charge_point_id
    and open_transactions.open_connector_id = open_connector_status.connector_id
where with_threshold.last_seen_at >= $as_of - to_seconds(with_threshold.offline_after_s)
order by with_threshold.charge_point_id
