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

stop_transactions as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        try_cast(coalesce(payload ->> '$.transactionId', payload ->> '$.transaction_id') as bigint) as transaction_id,
        coalesce(payload ->> '$.idTag', payload ->> '$.id_tag') as id_tag,
        try_cast(coalesce(payload ->> '$.meterStop', payload ->> '$.meter_stop') as bigint) as meter_stop_wh,
        try_cast(payload ->> '$.timestamp' as timestamptz) as stopped_at,
        payload ->> '$.reason' as stop_reason,
    from base_ocpp__messages
    where message_type_id = 2 and action = 'StopTransaction'
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
    transaction_id,
    id_tag,
    meter_stop_wh,
    stopped_at,
    stop_reason,
from stop_transactions
