-- One row per stored raw line: the line parsed into the common message shape of both log
-- dialects, or the reason it cannot be (rejection_reason; those rows become the quarantine).
with

raw_lines as (
    select
        file_id,
        line_no,
        raw_line,
    from raw_lines
),

parsed as (
    select
        file_id,
        line_no,
        raw_line,
        try_cast(raw_line as json) as line_json,
    from raw_lines
),

dialects as (
    select
        file_id,
        line_no,
        raw_line,
        line_json,
        json_type(line_json) as line_json_type,
        case
            when json_type(line_json) <> 'OBJECT' then null
            when json_exists(line_json, '$.frame') then 'envelope'
            when json_exists(line_json, '$.message_type') and json_exists(line_json, '$.body') then 'flat'
        end as dialect,
    from parsed
),

unpacked as (
    select
        file_id,
        line_no,
        raw_line,
        line_json_type,
        dialect,
        line_json ->> '$.charge_point_id' as charge_point_id,
        case dialect
            when 'envelope' then line_json ->> '$.received_at'
            when 'flat' then line_json ->> '$.write_timestamp'
        end as logged_at_text,
        case dialect
            when 'envelope' then json_type(line_json -> '$.frame')
        end as frame_json_type,
        case dialect
            when 'envelope' then json_array_length(line_json -> '$.frame')
        end as frame_length,
        case dialect
            when 'envelope' then line_json -> '$.frame[0]'
            when 'flat' then line_json -> '$.message_type'
        end as message_type_json,
        case dialect
            when 'envelope' then line_json ->> '$.frame[1]'
            when 'flat' then line_json ->> '$.message_id'
        end as unique_id,
        case dialect
            when 'envelope' then coalesce(
                    case when (line_json ->> '$.frame[0]') = '2' then line_json ->> '$.frame[2]' end,
                    line_json ->> '$.action'
                )
            when 'flat' then line_json ->> '$.action'
        end as action,
        case
            when dialect = 'envelope' and (line_json ->> '$.frame[0]') = '2' then line_json -> '$.frame[3]'
            when dialect = 'envelope' and (line_json ->> '$.frame[0]') = '3' then line_json -> '$.frame[2]'
            when dialect = 'envelope' and (line_json ->> '$.frame[0]') = '4' then line_json -> '$.frame[4]'
            when dialect = 'flat' and json_type(line_json -> '$.body') = 'VARCHAR'
                then try_cast(line_json ->> '$.body' as json)
            when dialect = 'flat' then line_json -> '$.body'
        end as payload,
        case
            when dialect = 'envelope' and (line_json ->> '$.frame[0]') = '4' then line_json ->> '$.frame[2]'
        end as error_code,
        case
            when dialect = 'envelope' and (line_json ->> '$.frame[0]') = '4' then line_json ->> '$.frame[3]'
        end as error_description,
    from dialects
),

typed as (
    select
        file_id,
        line_no,
        raw_line,
        line_json_type,
        dialect,
        charge_point_id,
        logged_at_text,
        try_cast(logged_at_text as timestamptz) as logged_at,
        frame_json_type,
        frame_length,
        try_cast(message_type_json ->> '$' as integer) as message_type_id,
        unique_id,
        action,
        payload,
        error_code,
        error_description,
    from unpacked
),

checked as (
    select
        *,
        case
            when line_json_type is null then 'not JSON'
            when line_json_type <> 'OBJECT' then 'not a JSON object (got ' || lower(line_json_type) || ')'
            when dialect is null
                then 'unknown dialect: neither an envelope ("frame") nor a flat record ("message_type" and "body")'
            when dialect = 'envelope' and frame_json_type <> 'ARRAY' then 'frame is not a JSON array'
            when message_type_id is null or message_type_id not in (2, 3, 4)
                then 'unknown message type (expected 2 CALL, 3 CALLRESULT or 4 CALLERROR)'
            when dialect = 'envelope' and frame_length <> case message_type_id when 2 then 4 when 3 then 3 else 5 end
                then 'frame of wrong arity for message type ' || message_type_id
            when charge_point_id is null or trim(charge_point_id) = '' then 'missing charge point id'
            when unique_id is null or unique_id = '' then 'missing unique id'
            when logged_at_text is null then 'missing log timestamp'
            when logged_at is null then 'bad log timestamp: ' || left(logged_at_text, 64)
            when message_type_id = 2 and (action is null or action = '') then 'CALL without an action'
            when payload is null or json_type(payload) <> 'OBJECT' then 'payload is not a JSON object'
        end as rejection_reason,
    from typed
)

select
    file_id,
    line_no,
    raw_line,
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
from checked
