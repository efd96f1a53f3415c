-- One row per charge point seen in the logs: when it was last heard from (any message to or
-- from it, replies included) and what its latest BootNotification said. Its traffic comes summed
-- per file from int_charge_point_connections, so this small table is rebuilt cheaply every run.
with

int_charge_point_connections as (
    select
        charge_point_id,
        first_seen_at,
        last_seen_at,
        messages,
    from int_charge_point_connections
),

stg_ocpp__boot_notifications as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        vendor,
        model,
        serial_number,
        firmware_version,
    from stg_ocpp__boot_notifications
),

int_ocpp__replies as (
    select
        charge_point_id,
        message_type_id,
        action,
        payload,
        call_file_id,
        call_line_no,
    from int_ocpp__replies
),

connections as (
    select
        charge_point_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(messages)::bigint as messages,
    from int_charge_point_connections
    group by charge_point_id
),

latest_boot as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at as last_boot_at,
        vendor,
        model,
        serial_number,
        firmware_version,
    from stg_ocpp__boot_notifications
    qualify row_number() over (partition by charge_point_id order by logged_at desc, file_id desc, line_no desc) = 1
),

boot_replies as (
    select
        call_file_id,
        call_line_no,
        payload ->> '$.status' as boot_status,
        try_cast(payload ->> '$.interval' as integer) as heartbeat_interval_s,
    from int_ocpp__replies
    where message_type_id = 3 and action = 'BootNotification'
    qualify row_number() over (partition by call_file_id, call_line_no order by heartbeat_interval_s) = 1
)

select
    connections.charge_point_id,
    connections.first_seen_at,
    connections.last_seen_at,
    connections.messages,
    latest_boot.last_boot_at,
    latest_boot.vendor,
    latest_boot.model,
    latest_boot.serial_number,
    latest_boot.firmware_version,
    boot_replies.boot_status,
    boot_replies.heartbeat_interval_s,
from connections
left join latest_boot
    on connections.charge_point_id = latest_boot.charge_point_id
left join boot_replies
    on latest_boot.file_id = boot_replies.call_file_id
    and latest_boot.line_no = boot_replies.call_line_no
