-- materialized: incremental
with

base_ocpp__messages as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        message_type_id,
        unique_id,
        action,
        payload,
    from base_ocpp__messages
    -- an incremental run adds the lines the models do not hold yet (run_changed_files.from_line_no on)
    where getvariable('is_incremental') is not true
        or is_run_line(file_id, line_no)
),

status_notifications as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        try_cast(coalesce(payload ->> '$.connectorId', payload ->> '$.connector_id') as integer) as connector_id,
        payload ->> '$.status' as status,
        coalesce(payload ->> '$.errorCode', payload ->> '$.error_code') as error_code,
        payload ->> '$.info' as info,
        try_cast(payload ->> '$.timestamp' as timestamptz) as status_at,
    from base_ocpp__messages
    where message_type_id = 2 and action = 'StatusNotification'
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
    connector_id,
    status,
    error_code,
    info,
    status_at,
from status_notifications
