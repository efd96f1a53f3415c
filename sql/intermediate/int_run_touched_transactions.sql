-- The transactions (charge point and id) this run's lines can change: those its lines start,
-- give an id (a start reply), stop or sample. An incremental fct_transactions rebuilds exactly
-- these, and an incremental int_meter_samples re-attributes their samples (a start that appears
-- or loses its id moves the samples of its id). Rebuilt every run from the run's lines alone
-- (is_run_line), so it costs what the new lines cost; a full build of its readers ignores it.
-- materialized: table
with

int_transaction_starts as (
    select
        charge_point_id,
        transaction_id,
        start_file_id,
        start_line_no,
    from int_transaction_starts
    where transaction_id is not null
),

int_ocpp__replies as (
    select
        call_file_id,
        call_line_no,
    from int_ocpp__replies
    where message_type_id = 3
        and action = 'StartTransaction'
        and is_run_line(file_id, line_no)
),

stg_ocpp__stop_transactions as (
    select
        charge_point_id,
        transaction_id,
    from stg_ocpp__stop_transactions
    where transaction_id is not null
        and is_run_line(file_id, line_no)
),

base_ocpp__meter_value_samples as (
    select
        charge_point_id,
        transaction_id,
    from base_ocpp__meter_value_samples
    where transaction_id is not null
        and is_run_line(file_id, line_no)
),

new_starts as (
    select
        charge_point_id,
        transaction_id,
    from int_transaction_starts
    where is_run_line(start_file_id, start_line_no)
),

replied_starts as (
    select
        int_transaction_starts.charge_point_id,
        int_transaction_starts.transaction_id,
    from int_transaction_starts
    semi join int_ocpp__replies
        on int_transaction_starts.start_file_id = int_ocpp__replies.call_file_id
        and int_transaction_starts.start_line_no = int_ocpp__replies.call_line_no
),

touched as (
    select
        charge_point_id,
        transaction_id,
    from new_starts
    union
    select
        charge_point_id,
        transaction_id,
    from replied_starts
    union
    select
        charge_point_id,
        transaction_id,
    from stg_ocpp__stop_transactions
    union
    select
        charge_point_id,
        transaction_id,
    from base_ocpp__meter_value_samples
)

select
    charge_point_id,
    transaction_id,
from touched
