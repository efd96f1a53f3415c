-- materialized: ingest
-- One row per line read from a landing file: the line parsed into the common message shape of
-- both log dialects, or the reason it cannot be (rejection_reason; those rows become the
-- quarantine). The loader builds this model a file at a time, as it reads the file: landing_lines
-- is the file's new lines (a temporary view over the landing file, or over the lines it had to
-- read itself), so every line is parsed once, straight from the landing file, and the warehouse
-- keeps no copy of the lines. It keeps a line's text only where a reader needs it: a line that
-- is rejected, a CALL whose payload still needs the full schema check, a line that may hold NaN.
-- Each line is parsed once, into a struct whose frame is already a list of JSON elements; the
-- rare lines that need a second look (not JSON, a frame that is not an array) get it alone.
with

landing_lines as (
    select
        file_id,
        line_no,
        raw_line,
    from landing_lines
),

parsed as (
    select
        file_id,
        line_no,
        raw_line,
        try(json_transform(
            raw_line,
            '{"charge_point_id": "JSON", "received_at": "VARCHAR", "action": "VARCHAR", "frame": ["JSON"],
              "message_id": "JSON", "message_type": "VARCHAR", "write_timestamp": "VARCHAR", "body": "JSON"}'
        )) as line,
        case when starts_with(raw_line, '{') then true else left(ltrim(raw_line), 1) = '{' end as is_object,
    from landing_lines
),

dialects as (
    select
        file_id,
        line_no,
        raw_line,
        line,
        is_object,
        case
            when line is null or not is_object then null
            when line.frame is not null then 'envelope'
            -- a frame that is there but not an array: an envelope with a bad frame
            when json_transform(raw_line, '{"frame": "JSON"}').frame is not null then 'envelope'
            when line.message_type is not null and line.body is not null then 'flat'
        end as dialect,
        line.frame as frame,
    from parsed
),

unpacked as (
    select
        file_id,
        line_no,
        raw_line,
        line,
        is_object,
        dialect,
        frame,
        line.charge_point_id ->> '$' as charge_point_id,
        -- an id must be a string (a unique id may be a number): an array or object is no identity
        json_type(line.charge_point_id) not in ('VARCHAR', 'NULL') as charge_point_id_not_text,
        json_type(case dialect when 'envelope' then frame[2] when 'flat' then line.message_id end)
            not in ('VARCHAR', 'BIGINT', 'UBIGINT', 'NULL') as unique_id_not_text,
        case dialect when 'envelope' then line.received_at when 'flat' then line.write_timestamp end as logged_at_text,
        try_cast(case dialect when 'envelope' then frame[1] ->> '$' when 'flat' then line.message_type end as integer)
            as message_type_id,
        case dialect when 'envelope' then frame[2] ->> '$' when 'flat' then line.message_id ->> '$' end as unique_id,
        -- a flat body is usually a JSON string holding the payload; sometimes the object itself
        -- text, not json: a body string that is not JSON must become a quarantine reason, not a cast error
        case
            when dialect = 'flat' and left(line.body, 1) = '"' then line.body ->> '$'
            when dialect = 'flat' then line.body::varchar
        end as flat_payload_text,
    from dialects
),

framed as (
    select
        file_id,
        line_no,
        raw_line,
        line is null as is_unparsed,
        is_object,
        dialect,
        frame,
        charge_point_id,
        charge_point_id_not_text,
        unique_id_not_text,
        logged_at_text,
        -- the parts DuckDB's lenient cast does not check (jobs/ingest/timestamps.ts has the same rules)
        -- the common form (UTC, a year of 1970-9998, hours, minutes and seconds in range) needs no parts
        case when regexp_full_match(
            logged_at_text,
            '(19[7-9]\d|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?Z'
        ) then null else regexp_extract(
            logged_at_text,
            '^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?$',
            ['year', 'month', 'day', 'hour', 'minute', 'second', 'offset_hours', 'offset_minutes']
        ) end as logged_at_parts,
        try_cast(logged_at_text as timestamptz) as logged_at,
        message_type_id,
        unique_id,
        case
            when dialect = 'envelope' and message_type_id = 2 then coalesce(frame[3] ->> '$', line.action)
            else line.action
        end as action,
        case
            when dialect = 'envelope' and message_type_id = 2 then frame[4]
            when dialect = 'envelope' and message_type_id = 3 then frame[3]
            when dialect = 'envelope' and message_type_id = 4 then frame[5]
            when dialect = 'flat' and json_valid(flat_payload_text) then flat_payload_text::json
        end as payload,
        case when dialect = 'envelope' and message_type_id = 4 then frame[3] ->> '$' end as error_code,
        case when dialect = 'envelope' and message_type_id = 4 then frame[4] ->> '$' end as error_description,
    from unpacked
),

checked as (
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
        case
            -- the parse failed exactly when the line is not JSON; only those lines are checked again
            when is_unparsed and not json_valid(raw_line) then case
                when contains(raw_line, chr(13))
                    then 'not JSON (carriage returns inside the line: CR-only line ends are not line breaks)'
                else 'not JSON'
            end
            when not is_object then 'not a JSON object (got ' || lower(json_type(raw_line)) || ')'
            when dialect is null
                then 'unknown dialect: neither an envelope ("frame") nor a flat record ("message_type" and "body")'
            when dialect = 'envelope' and frame is null then 'frame is not a JSON array'
            when message_type_id is null or message_type_id not in (2, 3, 4)
                then 'unknown message type (expected 2 CALL, 3 CALLRESULT or 4 CALLERROR)'
            when dialect = 'envelope' and len(frame) <> case message_type_id when 2 then 4 when 3 then 3 else 5 end
                then 'frame of wrong arity for message type ' || message_type_id
            when charge_point_id is null or trim(charge_point_id) = '' then 'missing charge point id'
            when charge_point_id_not_text then 'charge point id is not a string'
            when unique_id is null or unique_id = '' then 'missing unique id'
            when unique_id_not_text then 'unique id is neither a string nor a whole number'
            when logged_at_text is null then 'missing log timestamp'
            when logged_at_parts.year = ''
                then 'bad log timestamp (' || case
                    when regexp_full_match(logged_at_text, '\d{4}-\d{2}-\d{2}') then 'a date without a time'
                    when regexp_full_match(logged_at_text, '-?\d+(\.\d+)?')
                        then 'a number, not a date-time: epoch seconds or milliseconds are ambiguous'
                    else 'not an ISO 8601 date-time'
                end || '): ' || left(logged_at_text, 64)
            when logged_at_parts.second = '60'
                then 'bad log timestamp (a leap second, 23:59:60, cannot be stored): ' || left(logged_at_text, 64)
            when logged_at is null
                or try_cast(logged_at_parts.hour as integer) > 23
                or try_cast(logged_at_parts.minute as integer) > 59
                or try_cast(logged_at_parts.second as integer) > 59
                then 'bad log timestamp (no such date or time): ' || left(logged_at_text, 64)
            when coalesce(try_cast(logged_at_parts.offset_minutes as integer), 0) > 59
                or coalesce(try_cast(logged_at_parts.offset_hours as integer), 0) * 60
                + coalesce(try_cast(logged_at_parts.offset_minutes as integer), 0) > 14 * 60
                then 'bad log timestamp (UTC offset beyond ±14:00): ' || left(logged_at_text, 64)
            when try_cast(logged_at_parts.year as integer) not between 1970 and 9998
                then 'bad log timestamp (year outside 1970-9998): ' || left(logged_at_text, 64)
            when message_type_id = 2 and (action is null or action = '') then 'CALL without an action'
            when payload is null or left(payload, 1) <> '{' then 'payload is not a JSON object'
        end as rejection_reason,
    from framed
),

-- payloads in the common shapes of jobs/ingest/payload-shapes.ts pass the schema check as they are
conformance as (
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
        coalesce(rejection_reason is null and message_type_id = 2 and case
            when action = 'Heartbeat' then regexp_full_match(payload::varchar, getvariable('shape_heartbeat'))
            when action = 'MeterValues' and dialect = 'envelope'
                then regexp_full_match(payload::varchar, getvariable('shape_envelope_meter_values'))
            when action = 'MeterValues' and dialect = 'flat'
                then regexp_full_match(payload::varchar, getvariable('shape_flat_meter_values'))
            when action = 'StatusNotification' and dialect = 'envelope'
                then regexp_full_match(payload::varchar, getvariable('shape_envelope_status_notification'))
            when action = 'StatusNotification' and dialect = 'flat'
                then regexp_full_match(payload::varchar, getvariable('shape_flat_status_notification'))
            else false
        end, false) as payload_conforms,
    from checked
),

-- A MeterValues CALL is unpacked here, in the one parse, into typed readings that
-- base_ocpp__meter_value_samples unnests. Its payload text (most of the landing's bytes) is then
-- kept only where the schema check still has to read it.
meter_values as (
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
        payload_conforms,
        -- the readings hold what is read of it, and the schema check does not need its text
        coalesce(action = 'MeterValues' and payload_conforms, false) as drops_payload_text,
        case when rejection_reason is null and message_type_id = 2 and action = 'MeterValues' then json_transform(
            payload,
            '{"connectorId": "VARCHAR", "connector_id": "VARCHAR", "transactionId": "VARCHAR", "transaction_id": "VARCHAR",
              "meterValue": [{"timestamp": "VARCHAR", "sampledValue": [{"value": "VARCHAR", "context": "VARCHAR",
                  "measurand": "VARCHAR", "phase": "VARCHAR", "location": "VARCHAR", "unit": "VARCHAR"}]}],
              "meter_value": [{"timestamp": "VARCHAR", "sampled_value": [{"value": "VARCHAR", "context": "VARCHAR",
                  "measurand": "VARCHAR", "phase": "VARCHAR", "location": "VARCHAR", "unit": "VARCHAR"}]}]}'
        ) end as meter_value_fields,
    from conformance
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
    case when not drops_payload_text then payload end as payload,
    -- what the duplicate check compares when the text is not kept: the same for the same text
    case when drops_payload_text then md5_number_lower(payload::varchar) end as payload_md5,
    error_code,
    error_description,
    rejection_reason,
    payload_conforms,
    strlen(raw_line) as line_bytes,
    -- the text the quarantine shows and the strict JSON check reads; every other line's is in its landing file
    case
        when rejection_reason is not null
            or (message_type_id = 2 and not payload_conforms)
            or contains(raw_line, 'NaN')
            or contains(raw_line, 'Infinity')
            then raw_line
    end as raw_line,
    -- both dialects' keys in one shape; a reading's time cast here, as the samples read it
    case when meter_value_fields is not null then {
        'connector_id': try_cast(coalesce(meter_value_fields.connectorId, meter_value_fields.connector_id) as integer),
        'transaction_id': try_cast(coalesce(meter_value_fields.transactionId, meter_value_fields.transaction_id) as bigint),
        'readings': list_transform(
            coalesce(
                meter_value_fields.meterValue,
                list_transform(meter_value_fields.meter_value, reading -> {'timestamp': reading."timestamp", 'sampledValue': reading.sampled_value})
            ),
            reading -> {'sampled_at': try_cast(reading."timestamp" as timestamptz), 'sampled_values': reading.sampledValue}
        ),
    } end as meter_values,
from meter_values
