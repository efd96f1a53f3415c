-- materialized: view
-- Valid messages, each once. A redelivered line (same charge point, frame and log time, in any
-- file) counts once; a reused unique id with different content is a different message.
-- A view: the repeats are few and listed in base_ocpp__duplicate_lines, so leaving them out
-- costs less than writing every message (payload and all) to a second table each night.
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

base_ocpp__duplicate_lines as (
    select
        file_id,
        line_no,
    from base_ocpp__duplicate_lines
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
        valid_lines.file_id,
        valid_lines.line_no,
        valid_lines.dialect,
        valid_lines.charge_point_id,
        valid_lines.logged_at,
        valid_lines.message_type_id,
        valid_lines.unique_id,
        valid_lines.action,
        valid_lines.payload,
        valid_lines.error_code,
        valid_lines.error_description,
    from valid_lines
    anti join base_ocpp__duplicate_lines
        on valid_lines.file_id = base_ocpp__duplicate_lines.file_id
        and valid_lines.line_no = base_ocpp__duplicate_lines.line_no
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
