-- materialized: incremental
-- CALLs whose action no other staging model reads (DataTransfer, Authorize, vendor extensions,
-- typos): kept with their payload, so nothing logged is lost and new actions are easy to spot.
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

other_calls as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        action,
        payload,
    from base_ocpp__messages
    where message_type_id = 2
        and action not in (
            'BootNotification', 'Heartbeat', 'StatusNotification', 'StartTransaction', 'MeterValues', 'StopTransaction'
        )
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
    action,
    payload,
from other_calls
