-- StartTransaction requests with the transaction id the central system gave in its reply, one
-- row per start the charge point made. A charge point that hears no reply in time sends the same
-- StartTransaction again (same payload, new unique id), and the central system may answer each
-- copy with the same id, another id, ConcurrentTx or a CALLERROR: the copies are one start.
-- The copy that wins is the one whose id a later StopTransaction of the charge point names (the
-- id the charge point went on to use) before the connector's next start, else the first logged
-- that was given an id; the others are counted in start_retransmissions. Two different starts given the same id at the same
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

int_start_transaction_replies as (
    select
        file_id,
        line_no,
        call_file_id,
        call_line_no,
        transaction_id,
        id_tag_status,
    from int_start_transaction_replies
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
        transaction_id,
        id_tag_status,
    from int_start_transaction_replies
    -- a CALL answered twice keeps one answer: the least id, and of answers with the same id the
    -- first in the files (row order does not decide: the loader keeps no insertion order)
    qualify row_number() over (partition by call_file_id, call_line_no order by transaction_id, file_id, line_no) = 1
),

-- each start's group of copies and the first copy of the next group on its connector: a stop
-- names a copy only until the connector's next start, so an id reused weeks later names nothing
start_groups as (
    select
        charge_point_id,
        connector_id,
        id_tag,
        meter_start_wh,
        started_at,
        min(logged_at) as group_first_logged_at,
    from stg_ocpp__start_transactions
    group by charge_point_id, connector_id, id_tag, meter_start_wh, started_at
),

group_windows as (
    select
        charge_point_id,
        connector_id,
        id_tag,
        meter_start_wh,
        started_at,
        group_first_logged_at,
        lead(group_first_logged_at) over (
            partition by charge_point_id, connector_id
            order by group_first_logged_at, id_tag, meter_start_wh, started_at
        ) as next_group_logged_at,
    from start_groups
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
        windows.group_first_logged_at,
        windows.next_group_logged_at,
        exists (
            select 1
            from stg_ocpp__stop_transactions as stops
            where stops.charge_point_id = starts.charge_point_id
                and stops.transaction_id = start_replies.transaction_id
                and stops.logged_at >= starts.logged_at
                and (windows.next_group_logged_at is null or stops.logged_at < windows.next_group_logged_at)
        ) as named_by_a_stop,
    from stg_ocpp__start_transactions as starts
    left join start_replies
        on starts.file_id = start_replies.call_file_id
        and starts.line_no = start_replies.call_line_no
    inner join group_windows as windows
        on starts.charge_point_id = windows.charge_point_id
        and starts.connector_id is not distinct from windows.connector_id
        and starts.id_tag is not distinct from windows.id_tag
        and starts.meter_start_wh is not distinct from windows.meter_start_wh
        and starts.started_at is not distinct from windows.started_at
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
        group_first_logged_at,
        next_group_logged_at,
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
        group_first_logged_at,
        next_group_logged_at,
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
    group_first_logged_at,
    next_group_logged_at,
from identities_collapsed
