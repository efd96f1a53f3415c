-- materialized: incremental
-- unique_key: file_id, line_no
-- Each reply paired with its CALL: same charge point and unique id, the latest CALL logged at or
-- before the reply. Unique ids are reused (one id for every heartbeat, on some simulators), so
-- the id alone never pairs. A reply whose CALL is not (yet) in the data keeps call_* null.
-- An incremental run pairs the replies of its files, and the earlier replies that a CALL of its
-- files (logged before them: a late file) may now own; every other pairing stays as it was.
with

run_changed_files as (
    select
        file_id,
        from_line_no,
    from run_changed_files
),

base_ocpp__messages as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        message_type_id,
        unique_id,
        action,
    from base_ocpp__messages
),

stg_ocpp__call_results as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        message_type_id,
        logged_action,
        payload,
        error_code,
        error_description,
    from stg_ocpp__call_results
),

calls as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        action,
    from base_ocpp__messages
    where message_type_id = 2
),

new_calls as (
    select
        charge_point_id,
        unique_id,
        min(logged_at) as first_logged_at,
    from calls
    -- a full build pairs every reply anyway
    where getvariable('is_incremental')
        and file_id in (select run_changed_files.file_id from run_changed_files)
        and line_no >= (select run_changed_files.from_line_no from run_changed_files where run_changed_files.file_id = calls.file_id)
    group by charge_point_id, unique_id
),

replies_to_pair as (
    select
        replies.file_id,
        replies.line_no,
        replies.charge_point_id,
        replies.unique_id,
        replies.logged_at,
        replies.message_type_id,
        replies.logged_action,
        replies.payload,
        replies.error_code,
        replies.error_description,
    from stg_ocpp__call_results as replies
    left join new_calls
        on replies.charge_point_id = new_calls.charge_point_id
        and replies.unique_id = new_calls.unique_id
        and replies.logged_at >= new_calls.first_logged_at
    where getvariable('is_incremental') is not true
        or (
            replies.file_id in (select run_changed_files.file_id from run_changed_files)
            and replies.line_no >= (
                select run_changed_files.from_line_no from run_changed_files where run_changed_files.file_id = replies.file_id
            )
        )
        or new_calls.unique_id is not null
),

-- An incremental run needs, per id, only the CALLs from the latest one at or before its earliest
-- reply to pair on: older CALLs can own none of them, and the asof join then sorts a few rows
-- instead of every CALL ever logged. Empty in a full build, which takes every CALL.
pairing_cutoffs as (
    select
        keys.charge_point_id,
        keys.unique_id,
        max(calls.logged_at) filter (where calls.logged_at <= keys.first_reply_logged_at) as cutoff_logged_at,
    from (
        select
            charge_point_id,
            unique_id,
            min(logged_at) as first_reply_logged_at,
        from replies_to_pair
        where getvariable('is_incremental')
        group by charge_point_id, unique_id
    ) as keys
    left join calls
        on keys.charge_point_id = calls.charge_point_id
        and keys.unique_id = calls.unique_id
    group by keys.charge_point_id, keys.unique_id
),

candidate_calls as (
    select
        calls.file_id,
        calls.line_no,
        calls.charge_point_id,
        calls.unique_id,
        calls.logged_at,
        calls.action,
    from calls
    left join pairing_cutoffs
        on calls.charge_point_id = pairing_cutoffs.charge_point_id
        and calls.unique_id = pairing_cutoffs.unique_id
    where getvariable('is_incremental') is not true
        or (
            pairing_cutoffs.unique_id is not null
            and (pairing_cutoffs.cutoff_logged_at is null or calls.logged_at >= pairing_cutoffs.cutoff_logged_at)
        )
),

paired as (
    select
        replies.file_id,
        replies.line_no,
        replies.charge_point_id,
        replies.unique_id,
        replies.logged_at,
        replies.message_type_id,
        coalesce(calls.action, replies.logged_action) as action,
        replies.payload,
        replies.error_code,
        replies.error_description,
        calls.file_id as call_file_id,
        calls.line_no as call_line_no,
        calls.logged_at as call_logged_at,
    from replies_to_pair as replies
    asof left join candidate_calls as calls
        on replies.charge_point_id = calls.charge_point_id
        and replies.unique_id = calls.unique_id
        and replies.logged_at >= calls.logged_at
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
    message_type_id,
    action,
    payload,
    error_code,
    error_description,
    call_file_id,
    call_line_no,
    call_logged_at,
from paired
