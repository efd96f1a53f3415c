-- Valid messages, each once. A redelivered line (same charge point, frame and log time, in any
-- file) counts once; a reused unique id with different content is a different message.
with

base_ocpp__checked_lines as (
    select
        file_id,
        line_no,
        dialect,
        charge_point_id,
        logged_at,
        message_type_id,
        unique_id,
        action,
        payload,
        error_code,
        error_description,
        rejection_reason,
    from base_ocpp__checked_lines
),

valid_lines as (
    select
        file_id,
        line_no,
        dialect,
        charge_point_id,
        logged_at,
        message_type_id,
        unique_id,
        action,
        payload,
        error_code,
        error_description,
    from base_ocpp__checked_lines
    where rejection_reason is null
),

deduplicated as (
    select
        file_id,
        line_no,
        dialect,
        charge_point_id,
        logged_at,
        message_type_id,
        unique_id,
        action,
        payload,
        error_code,
        error_description,
    from valid_lines
    qualify row_number() over (
        partition by charge_point_id, logged_at, message_type_id, unique_id, action, payload::varchar
        order by file_id, line_no
    ) = 1
)

select
    file_id,
    line_no,
    dialect,
    charge_point_id,
    logged_at,
    message_type_id,
    unique_id,
    action,
    payload,
    error_code,
    error_description,
from deduplicated
