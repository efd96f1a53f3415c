-- Valid lines that repeat an earlier one: the same charge point, log time, message type, unique
-- id, action and payload, at a later (file_id, line_no). base_ocpp__messages leaves them out.
-- Only lines whose small key columns collide with another line's can repeat one, and those are
-- few: the payloads are read and compared for them alone, not for every line.
with

-- not materialized: read twice, and only the second read (a handful of lines) needs the payload
base_ocpp__checked_lines as not materialized (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        message_type_id,
        unique_id,
        action,
        payload,
        rejection_reason,
    from base_ocpp__checked_lines
),

line_keys as (
    select
        file_id,
        line_no,
        -- equal keys give equal hashes; a collision of unequal keys only adds a candidate
        hash(charge_point_id, logged_at, message_type_id, unique_id, action) as key_hash,
    from base_ocpp__checked_lines
    where rejection_reason is null
),

repeated_keys as (
    select
        key_hash,
    from line_keys
    group by key_hash
    having count(*) > 1
),

candidate_lines as (
    select
        line_keys.file_id,
        line_keys.line_no,
    from line_keys
    semi join repeated_keys
        on line_keys.key_hash = repeated_keys.key_hash
),

candidates as (
    select
        base_ocpp__checked_lines.file_id,
        base_ocpp__checked_lines.line_no,
        base_ocpp__checked_lines.charge_point_id,
        base_ocpp__checked_lines.logged_at,
        base_ocpp__checked_lines.message_type_id,
        base_ocpp__checked_lines.unique_id,
        base_ocpp__checked_lines.action,
        base_ocpp__checked_lines.payload,
    from base_ocpp__checked_lines
    semi join candidate_lines
        on base_ocpp__checked_lines.file_id = candidate_lines.file_id
        and base_ocpp__checked_lines.line_no = candidate_lines.line_no
),

repeats as (
    select
        file_id,
        line_no,
    from candidates
    qualify row_number() over (
        partition by charge_point_id, logged_at, message_type_id, unique_id, action, payload::varchar
        order by file_id, line_no
    ) > 1
)

select
    file_id,
    line_no,
from repeats
