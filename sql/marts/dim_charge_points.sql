-- One row per charge point seen in the logs: when it was last heard from (any message to or
-- from it, replies included) and what its latest BootNotification said. Its traffic comes summed
-- per file from int_charge_point_connections. An incremental run rebuilds the rows of the charge
-- points its lines speak for (their batches in int_charge_point_connections): a late boot, a boot
-- reply or any message of a charge point changes that charge point's row only.
-- materialized: incremental
-- unique_key: charge_point_id
with

-- not materialized (here and below): read by both branches of a union, each filtered its own way
int_charge_point_connections as not materialized (
    select
        file_id,
        line_no,
        charge_point_id,
        first_seen_at,
        last_seen_at,
        messages,
    from int_charge_point_connections
),

stg_ocpp__boot_notifications as not materialized (
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
    where message_type_id = 3 and action = 'BootNotification'
),

-- incremental: the charge points with lines in this run (every message, reply and boot is one)
touched_charge_points as (
    select distinct
        charge_point_id,
    from int_charge_point_connections
    where getvariable('is_incremental')
        and is_run_line(file_id, line_no)
),

connections_to_sum as (
    select
        charge_point_id,
        first_seen_at,
        last_seen_at,
        messages,
    from int_charge_point_connections
    where getvariable('is_incremental') is not true
    union all
    select
        int_charge_point_connections.charge_point_id,
        int_charge_point_connections.first_seen_at,
        int_charge_point_connections.last_seen_at,
        int_charge_point_connections.messages,
    from int_charge_point_connections
    semi join touched_charge_points
        on int_charge_point_connections.charge_point_id = touched_charge_points.charge_point_id
    where getvariable('is_incremental')
),

boots_to_rank as (
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
    where getvariable('is_incremental') is not true
    union all
    select
        boots.file_id,
        boots.line_no,
        boots.charge_point_id,
        boots.logged_at,
        boots.vendor,
        boots.model,
        boots.serial_number,
        boots.firmware_version,
    from stg_ocpp__boot_notifications as boots
    semi join touched_charge_points
        on boots.charge_point_id = touched_charge_points.charge_point_id
    where getvariable('is_incremental')
),

connections as (
    select
        charge_point_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(messages)::bigint as messages,
    from connections_to_sum
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
    from boots_to_rank
    qualify row_number() over (partition by charge_point_id order by logged_at desc, file_id desc, line_no desc) = 1
),

-- the replies to the latest boots only: the payload of no other boot reply is read
boot_replies as (
    select
        replies.call_file_id,
        replies.call_line_no,
        replies.payload ->> '$.status' as boot_status,
        try_cast(replies.payload ->> '$.interval' as integer) as heartbeat_interval_s,
    from int_ocpp__replies as replies
    semi join latest_boot
        on replies.call_file_id = latest_boot.file_id
        and replies.call_line_no = latest_boot.line_no
    qualify row_number() over (partition by replies.call_file_id, replies.call_line_no order by heartbeat_interval_s) = 1
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
