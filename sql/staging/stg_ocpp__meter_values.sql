-- One row per sampled value. OCPP 1.6 defaults are applied here because they are part of the
-- message's meaning: no measurand = Energy.Active.Import.Register, no unit = Wh, no phase = total.
with

base_ocpp__messages as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        message_type_id,
        unique_id,
        action,
        payload,
    from base_ocpp__messages
),

meter_values as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        try_cast(coalesce(payload ->> '$.connectorId', payload ->> '$.connector_id') as integer) as connector_id,
        try_cast(coalesce(payload ->> '$.transactionId', payload ->> '$.transaction_id') as bigint) as transaction_id,
        unnest(
            coalesce(
                nullif(json_extract(payload, '$.meterValue[*]'), []),
                json_extract(payload, '$.meter_value[*]')
            )
        ) as meter_value,
    from base_ocpp__messages
    where message_type_id = 2 and action = 'MeterValues'
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
        try_cast(meter_value ->> '$.timestamp' as timestamptz) as sampled_at,
        unnest(
            coalesce(
                nullif(json_extract(meter_value, '$.sampledValue[*]'), []),
                json_extract(meter_value, '$.sampled_value[*]')
            )
        ) as sampled_value,
    from meter_values
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
    sampled_value ->> '$.value' as value_text,
    try_cast(sampled_value ->> '$.value' as decimal(24, 6)) as sampled_value,
    coalesce(sampled_value ->> '$.measurand', 'Energy.Active.Import.Register') as measurand,
    sampled_value ->> '$.phase' as phase,
    coalesce(sampled_value ->> '$.unit', 'Wh') as unit,
    sampled_value ->> '$.context' as context,
    sampled_value ->> '$.location' as location,
from sampled_values
