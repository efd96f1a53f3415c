-- The transactions (charge point and id) this run's lines can change. fct_transactions rebuilds
-- exactly these, and int_meter_samples, read by the incremental build of
-- int_energy_register_samples, re-attributes their samples. A transaction is touched by its stop
-- and its samples, and by any change to its start: a StartTransaction line or a start reply in
-- the run changes the group of copies it belongs to (int_transaction_starts: copies of one start
-- are one transaction, and which copy wins can change), and so does a stop logged while a group
-- with copies is the connector's latest start (a stop names a copy until the connector's next
-- start), or a new start that ends such a group's window. Every id given to any copy of such a group is touched: the id
-- that wins now and the one that won before. Rebuilt every run from the run's lines (is_run_line); a full build of its
-- readers ignores it. Transaction ids are reused (after a reboot, or per connector), so a key can
-- name many transactions of the past: samples_from_logged_at bounds which samples can move.
-- materialized: table
with

-- not materialized (here and below): read by more than one CTE, each filtered its own way
stg_ocpp__start_transactions as not materialized (
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

int_start_transaction_replies as not materialized (
    select
        file_id,
        line_no,
        call_file_id,
        call_line_no,
        transaction_id,
    from int_start_transaction_replies
),

-- a stop or a new start can change which copy of a start wins only where there are copies to
-- choose from
int_transaction_starts as (
    select
        charge_point_id,
        connector_id,
        id_tag,
        meter_start_wh,
        started_at,
        group_first_logged_at,
        next_group_logged_at,
    from int_transaction_starts
    where transaction_id is not null
        and start_retransmissions > 0
),

stg_ocpp__stop_transactions as (
    select
        charge_point_id,
        transaction_id,
        logged_at,
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

run_start_replies as (
    select
        call_file_id,
        call_line_no,
    from int_start_transaction_replies
    where is_run_line(file_id, line_no)
),

-- the groups of copies (charge point, connector, idTag, meterStart, start time) the run changes
changed_groups as (
    select
        charge_point_id,
        connector_id,
        id_tag,
        meter_start_wh,
        started_at,
    from stg_ocpp__start_transactions
    where is_run_line(file_id, line_no)
    union
    select
        starts.charge_point_id,
        starts.connector_id,
        starts.id_tag,
        starts.meter_start_wh,
        starts.started_at,
    from stg_ocpp__start_transactions as starts
    semi join run_start_replies
        on starts.file_id = run_start_replies.call_file_id
        and starts.line_no = run_start_replies.call_line_no
    union
    select
        starts.charge_point_id,
        starts.connector_id,
        starts.id_tag,
        starts.meter_start_wh,
        starts.started_at,
    from int_transaction_starts as starts
    semi join stg_ocpp__stop_transactions as stops
        on starts.charge_point_id = stops.charge_point_id
        and stops.logged_at >= starts.group_first_logged_at
        and (starts.next_group_logged_at is null or stops.logged_at < starts.next_group_logged_at)
    union
    -- a new start ends the window of the group before it on its connector
    select
        starts.charge_point_id,
        starts.connector_id,
        starts.id_tag,
        starts.meter_start_wh,
        starts.started_at,
    from int_transaction_starts as starts
    semi join stg_ocpp__start_transactions as new_starts
        on starts.charge_point_id = new_starts.charge_point_id
        and starts.connector_id is not distinct from new_starts.connector_id
        and new_starts.logged_at >= starts.group_first_logged_at
        and (starts.next_group_logged_at is null or new_starts.logged_at <= starts.next_group_logged_at)
        and is_run_line(new_starts.file_id, new_starts.line_no)
),

-- a group's samples can move from its earliest copy on, whichever copy had which id before
group_copies as (
    select
        starts.file_id,
        starts.line_no,
        starts.charge_point_id,
        min(starts.logged_at) over (
            partition by starts.charge_point_id, starts.connector_id, starts.id_tag, starts.meter_start_wh, starts.started_at
        ) as group_first_logged_at,
    from stg_ocpp__start_transactions as starts
    semi join changed_groups
        on starts.charge_point_id = changed_groups.charge_point_id
        and starts.connector_id is not distinct from changed_groups.connector_id
        and starts.id_tag is not distinct from changed_groups.id_tag
        and starts.meter_start_wh is not distinct from changed_groups.meter_start_wh
        and starts.started_at is not distinct from changed_groups.started_at
),

-- every id the central system gave a copy of a changed group (a CALL answered twice: both ids)
group_ids as (
    select
        group_copies.charge_point_id,
        replies.transaction_id,
        group_copies.group_first_logged_at,
    from group_copies
    inner join int_start_transaction_replies as replies
        on group_copies.file_id = replies.call_file_id
        and group_copies.line_no = replies.call_line_no
),

touched as (
    select
        charge_point_id,
        transaction_id,
        group_first_logged_at as samples_from_logged_at,
    from group_ids
    where transaction_id is not null
    union all
    select
        charge_point_id,
        transaction_id,
        null as samples_from_logged_at,
    from stg_ocpp__stop_transactions
    union all
    select
        charge_point_id,
        transaction_id,
        null as samples_from_logged_at,
    from base_ocpp__meter_value_samples
)

-- samples_from_logged_at: a start of the id changed (from the earliest copy of its group), so its
-- samples from then on may belong to another start now; earlier ones and the samples of an id
-- touched only by its stop or samples keep their start (the run's new samples are attributed anyway)
select
    charge_point_id,
    transaction_id,
    min(samples_from_logged_at) as samples_from_logged_at,
from touched
group by charge_point_id, transaction_id
