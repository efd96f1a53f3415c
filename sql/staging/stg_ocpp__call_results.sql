-- materialized: view
-- Replies (CALLRESULT) and errors (CALLERROR). They carry no action of their own in OCPP-J;
-- int_ocpp__replies pairs them with their CALL.
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
        error_code,
        error_description,
    from base_ocpp__messages
),

replies as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        message_type_id,
        action as logged_action,
        payload,
        error_code,
        error_description,
    from base_ocpp__messages
    where message_type_id in (3, 4)
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
    message_type_id,
    logged_action,
    payload,
    error_code,
    error_description,
from replies
