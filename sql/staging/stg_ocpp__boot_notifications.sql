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

boot_notifications as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        coalesce(payload ->> '$.chargePointVendor', payload ->> '$.charge_point_vendor') as vendor,
        coalesce(payload ->> '$.chargePointModel', payload ->> '$.charge_point_model') as model,
        coalesce(payload ->> '$.chargePointSerialNumber', payload ->> '$.charge_point_serial_number') as serial_number,
        coalesce(payload ->> '$.firmwareVersion', payload ->> '$.firmware_version') as firmware_version,
    from base_ocpp__messages
    where message_type_id = 2 and action = 'BootNotification'
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
    vendor,
    model,
    serial_number,
    firmware_version,
from boot_notifications
