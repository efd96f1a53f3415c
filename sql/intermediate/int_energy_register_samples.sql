-- Energy.Active.Import.Register readings of the whole meter (no phase), in Wh exactly as reported
-- (DECIMAL(18, 3), read from the reported text: a meter's decimals are kept), each attributed
-- to the transaction it was sampled for (int_meter_samples: the latest start with its id logged
-- at or before it), so a sample that arrives after the stop still lands on the right transaction.
-- An incremental run attributes the samples of its new lines and every sample of the transactions
-- its lines touch (touched_transactions); those replace the rows of the same lines.
-- materialized: incremental
-- unique_key: file_id, line_no
with

-- not materialized: read by both branches of `samples`, each with its own filter to push down
int_meter_samples as not materialized (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        measurand,
        phase,
        unit,
        context,
        base_value,
        value_wh,
        start_file_id,
        start_line_no,
    from int_meter_samples
),

base_ocpp__meter_value_samples as not materialized (
    select
        file_id,
        line_no,
        charge_point_id,
        transaction_id,
    from base_ocpp__meter_value_samples
    where getvariable('is_incremental')
),

int_transaction_starts as (
    select
        charge_point_id,
        transaction_id,
        start_file_id,
        start_line_no,
    from int_transaction_starts
    where getvariable('is_incremental') and transaction_id is not null
),

new_starts as (
    select
        charge_point_id,
        transaction_id,
    from int_transaction_starts
    where getvariable('is_incremental')
        and transaction_id is not null
        and start_file_id >= getvariable('first_changed_file_id')
        and start_file_id in (select run_changed_files.file_id from run_changed_files)
        and start_line_no >= (
            select run_changed_files.from_line_no from run_changed_files
            where run_changed_files.file_id = int_transaction_starts.start_file_id
        )
),

new_start_replies as (
    select
        call_file_id,
        call_line_no,
    from int_ocpp__replies
    where getvariable('is_incremental')
        and message_type_id = 3
        and action = 'StartTransaction'
        and file_id >= getvariable('first_changed_file_id')
        and file_id in (select run_changed_files.file_id from run_changed_files)
        and line_no >= (
            select run_changed_files.from_line_no from run_changed_files
            where run_changed_files.file_id = int_ocpp__replies.file_id
        )
),

new_stops as (
    select
        charge_point_id,
        transaction_id,
    from stg_ocpp__stop_transactions
    where getvariable('is_incremental')
        and transaction_id is not null
        and file_id >= getvariable('first_changed_file_id')
        and file_id in (select run_changed_files.file_id from run_changed_files)
        and line_no >= (
            select run_changed_files.from_line_no from run_changed_files
            where run_changed_files.file_id = stg_ocpp__stop_transactions.file_id
        )
),

new_samples as (
    select
        file_id,
        line_no,
        charge_point_id,
        transaction_id,
    from base_ocpp__meter_value_samples
    where getvariable('is_incremental')
        and file_id >= getvariable('first_changed_file_id')
        and file_id in (select run_changed_files.file_id from run_changed_files)
        and line_no >= (
            select run_changed_files.from_line_no from run_changed_files
            where run_changed_files.file_id = base_ocpp__meter_value_samples.file_id
        )
),

-- the transactions (charge point and id) a run's lines can change: those they start, give an id
-- (a start reply), stop or sample; a start that appears or loses its id moves samples of its id
touched_transactions as (
    select
        charge_point_id,
        transaction_id,
    from new_starts
    union
    select
        starts.charge_point_id,
        starts.transaction_id,
    from int_transaction_starts as starts
    semi join new_start_replies
        on starts.start_file_id = new_start_replies.call_file_id
        and starts.start_line_no = new_start_replies.call_line_no
    union
    select
        charge_point_id,
        transaction_id,
    from new_stops
    union
    select
        charge_point_id,
        transaction_id,
    from new_samples
    where transaction_id is not null
),

lines_to_attribute as (
    select
        file_id,
        line_no,
    from new_samples
    union
    select
        samples.file_id,
        samples.line_no,
    from base_ocpp__meter_value_samples as samples
    semi join touched_transactions
        on samples.charge_point_id = touched_transactions.charge_point_id
        and samples.transaction_id = touched_transactions.transaction_id
),

-- a full build attributes every sample; an incremental run only the lines to attribute
samples as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        measurand,
        phase,
        unit,
        context,
        base_value,
        value_wh,
        start_file_id,
        start_line_no,
    from int_meter_samples
    where getvariable('is_incremental') is not true
    union all
    select
        samples.file_id,
        samples.line_no,
        samples.charge_point_id,
        samples.logged_at,
        samples.connector_id,
        samples.transaction_id,
        samples.sampled_at,
        samples.measurand,
        samples.phase,
        samples.unit,
        samples.context,
        samples.base_value,
        samples.value_wh,
        samples.start_file_id,
        samples.start_line_no,
    from int_meter_samples as samples
    semi join lines_to_attribute
        on samples.file_id = lines_to_attribute.file_id
        and samples.line_no = lines_to_attribute.line_no
    where getvariable('is_incremental')
),

register_samples as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        context,
        value_wh as energy_register_wh,
        start_file_id,
        start_line_no,
    from samples
    where measurand = 'Energy.Active.Import.Register'
        and phase is null
        and unit = 'Wh'
        and base_value is not null
        and value_wh is not null
        and sampled_at is not null
)

select
    file_id,
    line_no,
    charge_point_id,
    logged_at,
    connector_id,
    transaction_id,
    sampled_at,
    context,
    energy_register_wh,
    start_file_id,
    start_line_no,
from register_samples
