-- StartTransaction requests with the transaction id the central system gave in its reply, one
-- row per start the charge point made. A charge point that hears no reply in time sends the same
-- StartTransaction again (same payload, new unique id), and the central system may answer each
-- copy with the same id, another id, ConcurrentTx or a CALLERROR: the copies are one start.
-- The copy that wins is the one whose id a later StopTransaction of the charge point names (the
-- id the charge point went on to use), else the first logged that was given an id; the others
-- are counted in start_retransmissions. Two different starts given the same id at the same
-- start time cannot both be the transaction: the first logged stands, the other is counted too.
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

stg_ocpp__stop_transactions as (
    select
        charge_point_id,
        logged_at,
        transaction_id,
    from stg_ocpp__stop_transactions
    where transaction_id is not null
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
),

last_stop_per_id as (
    select
        charge_point_id,
        transaction_id,
        max(logged_at) as last_stop_logged_at,
    from stg_ocpp__stop_transactions
    group by charge_point_id, transaction_id
),

starts_with_ids as (
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
        coalesce(last_stop_per_id.last_stop_logged_at >= starts.logged_at, false) as named_by_a_stop,
    from stg_ocpp__start_transactions as starts
    left join start_replies
        on starts.file_id = start_replies.call_file_id
        and starts.line_no = start_replies.call_line_no
    left join last_stop_per_id
        on starts.charge_point_id = last_stop_per_id.charge_point_id
        and start_replies.transaction_id = last_stop_per_id.transaction_id
),

-- copies of one StartTransaction: the same charge point, connector, idTag, meterStart and time
retransmissions_collapsed as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        id_tag_status,
        meter_start_wh,
        started_at,
        start_logged_at,
        start_file_id,
        start_line_no,
        count(*) over (
            partition by charge_point_id, connector_id, id_tag, meter_start_wh, started_at
        ) - 1 as start_retransmissions,
    from starts_with_ids
    qualify row_number() over (
        partition by charge_point_id, connector_id, id_tag, meter_start_wh, started_at
        order by named_by_a_stop desc, transaction_id is not null desc, start_logged_at, start_file_id, start_line_no
    ) = 1
),

-- (charge point, id, start time) identifies a transaction: different starts given one id at one time
-- are one transaction, the first logged
identities_collapsed as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        id_tag_status,
        meter_start_wh,
        started_at,
        start_logged_at,
        start_file_id,
        start_line_no,
        start_retransmissions
        + case
            when transaction_id is null then 0
            else count(*) over (partition by charge_point_id, transaction_id, started_at) - 1
        end as start_retransmissions,
    from retransmissions_collapsed
    qualify transaction_id is null
        or row_number() over (
            partition by charge_point_id, transaction_id, started_at
            order by start_logged_at, start_file_id, start_line_no
        ) = 1
)

select
    charge_point_id,
    transaction_id,
    connector_id,
    id_tag,
    id_tag_status,
    meter_start_wh,
    started_at,
    start_logged_at,
    start_file_id,
    start_line_no,
    start_retransmissions,
from identities_collapsed
