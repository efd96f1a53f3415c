-- materialized: view
-- Parsed lines with the verdict of the OCPP 1.6 schema check added: a payload that fails its
-- action's schema in a way that could make a figure wrong is rejected like a malformed line.
with

base_ocpp__lines as (
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
        payload_md5,
        error_code,
        error_description,
        rejection_reason,
    from base_ocpp__lines
),

payload_violations as (
    select
        file_id,
        line_no,
        severity,
        reason,
    from payload_violations
),

schema_errors as (
    select
        file_id,
        line_no,
        -- a payload that cannot even be parsed strictly (NaN) is not a schema violation
        case when bool_and(reason like '%(OCPP 1.6 schema)') then 'payload fails the OCPP 1.6 schema: ' else '' end
        || string_agg(reason, '; ' order by reason) as schema_error,
    from payload_violations
    where severity = 'error'
    group by file_id, line_no
)

select
    base_ocpp__lines.file_id,
    base_ocpp__lines.line_no,
    base_ocpp__lines.dialect,
    base_ocpp__lines.charge_point_id,
    base_ocpp__lines.logged_at,
    base_ocpp__lines.message_type_id,
    base_ocpp__lines.unique_id,
    base_ocpp__lines.action,
    base_ocpp__lines.payload,
    base_ocpp__lines.payload_md5,
    base_ocpp__lines.error_code,
    base_ocpp__lines.error_description,
    coalesce(base_ocpp__lines.rejection_reason, schema_errors.schema_error) as rejection_reason,
from base_ocpp__lines
left join schema_errors
    on base_ocpp__lines.file_id = schema_errors.file_id
    and base_ocpp__lines.line_no = schema_errors.line_no
