-- materialized: incremental
-- One row per sampled value of every MeterValues CALL whose line parsed, parsed once: an
-- incremental run parses only the files it read. stg_ocpp__meter_values leaves out the lines
-- that fail their schema or repeat an earlier line, which can change without a line changing.
-- OCPP 1.6 defaults are applied here because they are part of the message's meaning: no
-- measurand = Energy.Active.Import.Register, no unit = Wh, no phase = total.
with

base_ocpp__lines as (
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
    from base_ocpp__lines
    where getvariable('is_incremental') is not true
        or is_run_line(file_id, line_no)
),

meter_values as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        json_transform(
            payload,
            '{"connectorId": "VARCHAR", "connector_id": "VARCHAR", "transactionId": "VARCHAR", "transaction_id": "VARCHAR",
              "meterValue": [{"timestamp": "VARCHAR", "sampledValue": [{"value": "VARCHAR", "context": "VARCHAR",
                  "measurand": "VARCHAR", "phase": "VARCHAR", "location": "VARCHAR", "unit": "VARCHAR"}]}],
              "meter_value": [{"timestamp": "VARCHAR", "sampled_value": [{"value": "VARCHAR", "context": "VARCHAR",
                  "measurand": "VARCHAR", "phase": "VARCHAR", "location": "VARCHAR", "unit": "VARCHAR"}]}]}'
        ) as fields,
    from base_ocpp__lines
    where rejection_reason is null
        and message_type_id = 2
        and action = 'MeterValues'
),

readings as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        try_cast(coalesce(fields.connectorId, fields.connector_id) as integer) as connector_id,
        try_cast(coalesce(fields.transactionId, fields.transaction_id) as bigint) as transaction_id,
        unnest(
            coalesce(
                fields.meterValue,
                list_transform(fields.meter_value, reading -> {'timestamp': reading."timestamp", 'sampledValue': reading.sampled_value})
            )
        ) as meter_value,
    from meter_values
),

sampled_values as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        connector_id,
        transaction_id,
        try_cast(meter_value."timestamp" as timestamptz) as sampled_at,
        unnest(meter_value.sampledValue) as sampled_value,
    from readings
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
    sampled_value.value as value_text,
    try_cast(sampled_value.value as double) as sampled_value,
    coalesce(sampled_value.measurand, 'Energy.Active.Import.Register') as measurand,
    sampled_value.phase as phase,
    coalesce(sampled_value.unit, 'Wh') as unit,
    sampled_value.context as context,
    sampled_value.location as location,
from sampled_values
