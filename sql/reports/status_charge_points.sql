-- The status page's charge points: every charge point heard from at or before $as_of, with its
-- last message, how long it has been silent, its latest boot (vendor, model, firmware) and each
-- connector's latest status, all as of $as_of. Whether it is online is not decided here: the page
-- takes that from `query active` (active_charge_points.sql) with the same $as_of.
with

base_ocpp__messages as (
    select
        charge_point_id,
        logged_at,
    from base_ocpp__messages
),

stg_ocpp__boot_notifications as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        vendor,
        model,
        firmware_version,
    from stg_ocpp__boot_notifications
),

stg_ocpp__status_notifications as (
    select
        charge_point_id,
        logged_at,
        connector_id,
        status,
        error_code,
    from stg_ocpp__status_notifications
),

last_message as (
    select
        charge_point_id,
        max(logged_at) as last_seen_at,
    from base_ocpp__messages
    where logged_at <= $as_of
    group by charge_point_id
),

latest_boot as (
    select
        charge_point_id,
        logged_at as last_boot_at,
        vendor,
        model,
        firmware_version,
    from stg_ocpp__boot_notifications
    where logged_at <= $as_of
    qualify row_number() over (partition by charge_point_id order by logged_at desc, file_id desc, line_no desc) = 1
),

-- as `query active` picks a connector's latest status
connector_status as (
    select
        charge_point_id,
        connector_id,
        status,
        error_code,
        logged_at,
    from stg_ocpp__status_notifications
    where logged_at <= $as_of
    qualify row_number() over (partition by charge_point_id, connector_id order by logged_at desc) = 1
),

connectors as (
    select
        charge_point_id,
        list(
            {'connector_id': connector_id, 'status': status, 'error_code': error_code, 'changed_at': logged_at}
            order by connector_id
        ) as connectors,
    from connector_status
    group by charge_point_id
)

select
    last_message.charge_point_id,
    last_message.last_seen_at,
    (epoch_us($as_of) - epoch_us(last_message.last_seen_at)) // 1000000 as silent_s,
    latest_boot.last_boot_at,
    latest_boot.vendor,
    latest_boot.model,
    latest_boot.firmware_version,
    coalesce(connectors.connectors, []) as connectors,
from last_message
left join latest_boot
    on last_message.charge_point_id = latest_boot.charge_point_id
left join connectors
    on last_message.charge_point_id = connectors.charge_point_id
order by last_message.last_seen_at, last_message.charge_point_id
