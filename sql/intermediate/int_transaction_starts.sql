-- StartTransaction requests with the transaction id the central system gave in its reply.
with

stg_ocpp__start_transactions as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        id_tag,
        meter_start_wh,
        started_at,
    from stg_ocpp__start_transactions
),

int_ocpp__replies as (
    select
        charge_point_id,
        message_type_id,
        action,
        payload,
        call_file_id,
        call_line_no,
    from int_ocpp__replies
),

start_replies as (
    select
        call_file_id,
        call_line_no,
        try_cast(coalesce(payload ->> '$.transactionId', payload ->> '$.transaction_id') as bigint) as transaction_id,
        coalesce(
            payload ->> '$.idTagInfo.status',
            payload ->> '$.id_tag_info.status'
        ) as id_tag_status,
    from int_ocpp__replies
    where message_type_id = 3 and action = 'StartTransaction'
    -- a CALL answered twice keeps its first answer
    qualify row_number() over (partition by call_file_id, call_line_no order by transaction_id) = 1
)

select
    starts.charge_point_id,
    start_replies.transaction_id,
    starts.connector_id,
    starts.id_tag,
    start_replies.id_tag_status,
    starts.meter_start_wh,
    starts.started_at,
    starts.logged_at as start_logged_at,
    starts.file_id as start_file_id,
    starts.line_no as start_line_no,
from stg_ocpp__start_transactions as starts
left join start_replies
    on starts.file_id = start_replies.call_file_id
    and starts.line_no = start_replies.call_line_no
