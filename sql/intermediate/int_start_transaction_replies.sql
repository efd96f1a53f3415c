-- materialized: view
-- The central system's answers to StartTransaction CALLs (CALLRESULTs paired with their CALL),
-- with the transaction id and idTag status they give. The one place they are read from the
-- payload: int_transaction_starts takes each start's id from here, and
-- int_run_touched_transactions every id a changed start was given.
with

int_ocpp__replies as (
    select
        file_id,
        line_no,
        payload,
        call_file_id,
        call_line_no,
    from int_ocpp__replies
    where message_type_id = 3 and action = 'StartTransaction'
)

select
    file_id,
    line_no,
    call_file_id,
    call_line_no,
    try_cast(coalesce(payload ->> '$.transactionId', payload ->> '$.transaction_id') as bigint) as transaction_id,
    coalesce(payload ->> '$.idTagInfo.status', payload ->> '$.id_tag_info.status') as id_tag_status,
from int_ocpp__replies
