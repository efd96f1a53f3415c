-- materialized: incremental
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
    -- an incremental run adds the lines the models do not hold yet (run_changed_files.from_line_no on)
    where getvariable('is_incremental') is not true
        or is_run_line(file_id, line_no)
),

start_transactions as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        try_cast(coalesce(payload ->> '$.connectorId', payload ->> '$.connector_id') as integer) as connector_id,
        coalesce(payload ->> '$.idTag', payload ->> '$.id_tag') as id_tag,
        try_cast(coalesce(payload ->> '$.meterStart', payload ->> '$.meter_start') as bigint) as meter_start_wh,
        try_cast(payload ->> '$.timestamp' as timestamptz) as started_at,
        try_cast(coalesce(payload ->> '$.reservationId', payload ->> '$.reservation_id') as bigint) as reservation_id,
    from base_ocpp__messages
    where message_type_id = 2 and action = 'StartTransaction'
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
    connector_id,
    id_tag,
    meter_start_wh,
    started_at,
    reservation_id,
from start_transactions
