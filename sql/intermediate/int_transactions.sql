-- Starts matched to stops. Transaction ids are unique only per charge point and restart after a
-- reboot, so a stop belongs to the most recent start with its id logged at or before it.
-- One row per transaction: completed, open (never stopped) or a stop whose start is not in the data.
with

int_transaction_starts as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        meter_start_wh,
        started_at,
        start_logged_at,
        start_file_id,
        start_line_no,
        start_retransmissions,
    from int_transaction_starts
    where transaction_id is not null
),

stg_ocpp__stop_transactions as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        transaction_id,
        id_tag,
        meter_stop_wh,
        stopped_at,
        stop_reason,
    from stg_ocpp__stop_transactions
    where transaction_id is not null
),

stops_with_their_start as (
    select
        stops.charge_point_id,
        stops.transaction_id,
        stops.id_tag as stop_id_tag,
        stops.meter_stop_wh,
        stops.stopped_at,
        stops.stop_reason,
        stops.logged_at as stop_logged_at,
        stops.file_id as stop_file_id,
        stops.line_no as stop_line_no,
        starts.start_file_id,
        starts.start_line_no,
    from stg_ocpp__stop_transactions as stops
    asof left join int_transaction_starts as starts
        on stops.charge_point_id = starts.charge_point_id
        and stops.transaction_id = starts.transaction_id
        and stops.logged_at >= starts.start_logged_at
),

first_stop_per_start as (
    -- a start stopped more than once keeps its first stop; the others are counted, not lost. A
    -- stop whose start is not in the data stands for its transaction: its copies (same id and
    -- stop time) count once too.
    select
        count(*) over stops_of_one_transaction as stops_received,
        -- a resent stop repeats the first; one with other figures is something to review
        (
            min(meter_stop_wh) over stops_of_one_transaction is distinct from max(meter_stop_wh) over stops_of_one_transaction
            or min(stopped_at) over stops_of_one_transaction is distinct from max(stopped_at) over stops_of_one_transaction
            or count(meter_stop_wh) over stops_of_one_transaction < count(*) over stops_of_one_transaction
        ) as stops_differ,
        charge_point_id,
        transaction_id,
        stop_id_tag,
        meter_stop_wh,
        stopped_at,
        stop_reason,
        stop_logged_at,
        stop_file_id,
        stop_line_no,
        start_file_id,
        start_line_no,
    from stops_with_their_start
    window stops_of_one_transaction as (
        partition by
            start_file_id,
            start_line_no,
            case when start_file_id is null then charge_point_id end,
            case when start_file_id is null then transaction_id end,
            case when start_file_id is null then stopped_at end
    )
    qualify row_number() over (
        stops_of_one_transaction
        order by stop_logged_at, stop_file_id, stop_line_no
    ) = 1
),

transactions as (
    select
        coalesce(starts.charge_point_id, stops.charge_point_id) as charge_point_id,
        coalesce(starts.transaction_id, stops.transaction_id) as transaction_id,
        starts.connector_id,
        coalesce(starts.id_tag, stops.stop_id_tag) as id_tag,
        starts.meter_start_wh,
        stops.meter_stop_wh,
        starts.started_at,
        stops.stopped_at,
        stops.stop_reason,
        starts.start_logged_at,
        stops.stop_logged_at,
        starts.start_file_id,
        starts.start_line_no,
        stops.stop_file_id,
        stops.stop_line_no,
        coalesce(stops.stops_received, 0) as stops_received,
        coalesce(stops.stops_differ, false) as stops_differ,
        coalesce(starts.start_retransmissions, 0) as start_retransmissions,
        case
            when starts.start_file_id is null then 'stop_without_start'
            when stops.stop_file_id is null then 'open'
            else 'completed'
        end as transaction_status,
    from int_transaction_starts as starts
    full outer join first_stop_per_start as stops
        on starts.start_file_id = stops.start_file_id
        and starts.start_line_no = stops.start_line_no
)

select
    charge_point_id,
    transaction_id,
    connector_id,
    id_tag,
    meter_start_wh,
    meter_stop_wh,
    started_at,
    stopped_at,
    stop_reason,
    start_logged_at,
    stop_logged_at,
    start_file_id,
    start_line_no,
    stop_file_id,
    stop_line_no,
    stops_received,
    stops_differ,
    start_retransmissions,
    transaction_status,
from transactions
