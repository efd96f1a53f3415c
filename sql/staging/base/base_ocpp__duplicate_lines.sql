-- materialized: incremental
-- Valid lines that repeat an earlier one: the same charge point, log time, message type, unique
-- id, action and payload, at a later (file_id, line_no). base_ocpp__messages leaves them out.
-- A payload whose text the parse did not keep (a MeterValues it unpacked) is compared on the
-- lower 64 bits of the text's MD5, which it kept instead, and every other payload the same way.
-- Only lines whose small key columns collide with another line's can repeat one, and those are
-- few: the payloads are read and compared for them alone, not for every line.
-- A new line can only repeat an earlier one (line ids grow), so an incremental run checks its
-- new lines against the lines logged at the same times (a repeat has the same log time): the
-- scan reads the new lines' span of log times (set by the model runner after the parse), not all
-- history, and earlier verdicts stand.
with

-- not materialized: read several times, and only the last read (a handful of lines) needs the payload
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
        payload_md5,
        rejection_reason,
    from base_ocpp__checked_lines
    where rejection_reason is null
),

new_line_keys as (
    select
        file_id,
        line_no,
        logged_at,
        -- equal keys give equal hashes; a collision of unequal keys only adds a candidate
        hash(charge_point_id, logged_at, message_type_id, unique_id, action) as key_hash,
    from base_ocpp__checked_lines
    where getvariable('is_incremental') is not true
        or is_run_line(file_id, line_no)
),

-- incremental: the earlier lines (not the run's own) logged within the new lines' span whose key a
-- new line shares
earlier_line_keys as (
    select
        file_id,
        line_no,
        logged_at,
        hash(charge_point_id, logged_at, message_type_id, unique_id, action) as key_hash,
    from base_ocpp__checked_lines
    where getvariable('is_incremental')
        and logged_at >= getvariable('new_lines_first_logged_at')
        and logged_at <= getvariable('new_lines_last_logged_at')
        and hash(charge_point_id, logged_at, message_type_id, unique_id, action) in (
            select new_line_keys.key_hash from new_line_keys
        )
        and not is_run_line(file_id, line_no)
),

line_keys as (
    select
        file_id,
        line_no,
        key_hash,
    from new_line_keys
    -- disjoint: a distinct over every line's key cost a full build most of its time
    union all
    select
        file_id,
        line_no,
        key_hash,
    from earlier_line_keys
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
        coalesce(base_ocpp__checked_lines.payload_md5, md5_number_lower(base_ocpp__checked_lines.payload::varchar)) as payload_md5,
    from base_ocpp__checked_lines
    semi join candidate_lines
        on base_ocpp__checked_lines.file_id = candidate_lines.file_id
        and base_ocpp__checked_lines.line_no = candidate_lines.line_no
    where getvariable('is_incremental') is not true
        or (
            base_ocpp__checked_lines.logged_at >= getvariable('new_lines_first_logged_at')
            and base_ocpp__checked_lines.logged_at <= getvariable('new_lines_last_logged_at')
        )
),

repeats as (
    select
        file_id,
        line_no,
    from candidates
    qualify row_number() over (
        partition by charge_point_id, logged_at, message_type_id, unique_id, action, payload_md5
        order by file_id, line_no
    ) > 1
),

-- earlier lines' verdicts stand: an incremental run adds those of its new lines
new_repeats as (
    select
        repeats.file_id,
        repeats.line_no,
    from repeats
    semi join new_line_keys
        on repeats.file_id = new_line_keys.file_id
        and repeats.line_no = new_line_keys.line_no
)

select
    file_id,
    line_no,
from new_repeats
