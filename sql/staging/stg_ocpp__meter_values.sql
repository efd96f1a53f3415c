-- materialized: view
-- One row per sampled value of the MeterValues messages (base_ocpp__messages): the readings the
-- parse unpacked (base_ocpp__meter_value_samples unnests them), less the lines that fail their
-- schema or repeat an earlier line. Both lists are short, so this costs a scan, not a parse.
with

base_ocpp__meter_value_samples as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        value_text,
        sampled_value,
        measurand,
        phase,
        unit,
        context,
        location,
    from base_ocpp__meter_value_samples
),

base_ocpp__duplicate_lines as (
    select
        file_id,
        line_no,
    from base_ocpp__duplicate_lines
),

payload_violations as (
    select
        file_id,
        line_no,
    from payload_violations
    where severity = 'error'
),

sampled_values as (
    select
        samples.file_id,
        samples.line_no,
        samples.charge_point_id,
        samples.unique_id,
        samples.logged_at,
        samples.connector_id,
        samples.transaction_id,
        samples.sampled_at,
        samples.value_text,
        samples.sampled_value,
        samples.measurand,
        samples.phase,
        samples.unit,
        samples.context,
        samples.location,
    from base_ocpp__meter_value_samples as samples
    anti join base_ocpp__duplicate_lines
        on samples.file_id = base_ocpp__duplicate_lines.file_id
        and samples.line_no = base_ocpp__duplicate_lines.line_no
    anti join payload_violations
        on samples.file_id = payload_violations.file_id
        and samples.line_no = payload_violations.line_no
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
    connector_id,
    transaction_id,
    sampled_at,
    value_text,
    sampled_value,
    measurand,
    phase,
    unit,
    context,
    location,
from sampled_values
