-- materialized: view
-- One row per sampled value of every MeterValues CALL whose line parsed. The parse
-- (base_ocpp__lines) already unpacked each payload into typed readings, once, as it read the
-- line: this view only unnests them, so there is no second parse and no second copy of the
-- samples. stg_ocpp__meter_values leaves out the lines that fail their schema or repeat an earlier
-- line, which can change without a line changing.
-- OCPP 1.6 defaults are applied here because they are part of the message's meaning: no
-- measurand = Energy.Active.Import.Register, no unit = Wh, no phase = total.
with

base_ocpp__lines as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        meter_values,
    from base_ocpp__lines
    where meter_values is not null
),

readings as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        meter_values.connector_id as connector_id,
        meter_values.transaction_id as transaction_id,
        unnest(meter_values.readings) as reading,
    from base_ocpp__lines
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
        reading.sampled_at as sampled_at,
        unnest(reading.sampled_values) as sampled_value,
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
