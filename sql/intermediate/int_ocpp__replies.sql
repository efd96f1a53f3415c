-- materialized: incremental
-- unique_key: file_id, line_no
-- Each reply paired with its CALL: same charge point and unique id, the latest CALL logged at or
-- before the reply. Unique ids are reused (one id for every heartbeat, on some simulators), so
-- the id alone never pairs. A reply whose CALL is not (yet) in the data keeps call_* null.
-- An incremental run pairs the replies of its files, and the earlier replies that a CALL of its
-- files (logged before them: a late file) may now own; every other pairing stays as it was.
with

base_ocpp__messages as not materialized (
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

stg_ocpp__call_results as not materialized (
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

calls as not materialized (
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
        and is_run_line(file_id, line_no)
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
    where getvariable('is_incremental') is not true
        or is_run_line(replies.file_id, replies.line_no)
    -- union all of disjoint sets: a distinct over every reply (payload and all) cost a full build 1.7 s
    union all
    -- earlier replies a CALL of the run's lines (logged before them: a late file) may now own; the
    -- constant bound lets DuckDB skip the row groups of older replies
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
    semi join new_calls
        on replies.charge_point_id = new_calls.charge_point_id
        and replies.unique_id = new_calls.unique_id
        and replies.logged_at >= new_calls.first_logged_at
    where getvariable('is_incremental')
        and replies.logged_at >= getvariable('new_lines_first_logged_at')
        and not is_run_line(replies.file_id, replies.line_no)
),

-- An incremental run looks for the CALLs first among those logged from a day before its earliest
-- line (a constant bound: DuckDB skips older row groups), where a reply's CALL almost always is;
-- a reply with no CALL there at or before it is paired on the older CALLs of its id below.
recent_calls as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        action,
    from calls
    where getvariable('is_incremental') is not true
        or logged_at >= getvariable('new_lines_first_logged_at') - interval 1 day
),

-- Per id, only the CALLs from the latest one at or before its earliest reply to pair on: older
-- CALLs can own none of them, and the asof join then sorts a few rows instead of every CALL ever
-- logged. Empty in a full build, which takes every CALL.
pairing_cutoffs as (
    select
        keys.charge_point_id,
        keys.unique_id,
        max(recent_calls.logged_at) filter (where recent_calls.logged_at <= keys.first_reply_logged_at) as cutoff_logged_at,
    from (
        select
            charge_point_id,
            unique_id,
            min(logged_at) as first_reply_logged_at,
        from replies_to_pair
        where getvariable('is_incremental')
        group by charge_point_id, unique_id
    ) as keys
    left join recent_calls
        on keys.charge_point_id = recent_calls.charge_point_id
        and keys.unique_id = recent_calls.unique_id
    group by keys.charge_point_id, keys.unique_id
),

candidate_calls as (
    select
        recent_calls.file_id,
        recent_calls.line_no,
        recent_calls.charge_point_id,
        recent_calls.unique_id,
        recent_calls.logged_at,
        recent_calls.action,
    from recent_calls
    left join pairing_cutoffs
        on recent_calls.charge_point_id = pairing_cutoffs.charge_point_id
        and recent_calls.unique_id = pairing_cutoffs.unique_id
    where getvariable('is_incremental') is not true
        or (
            pairing_cutoffs.unique_id is not null
            and (pairing_cutoffs.cutoff_logged_at is null or recent_calls.logged_at >= pairing_cutoffs.cutoff_logged_at)
        )
),

paired_recent as (
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
        calls.action as call_action,
        calls.file_id as call_file_id,
        calls.line_no as call_line_no,
        calls.logged_at as call_logged_at,
    from replies_to_pair as replies
    asof left join candidate_calls as calls
        on replies.charge_point_id = calls.charge_point_id
        and replies.unique_id = calls.unique_id
        and replies.logged_at >= calls.logged_at
),

-- incremental: the replies without a recent CALL, paired on the older CALLs of their id (usually
-- none, and then DuckDB reads no older CALL at all)
unpaired as (
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
    from paired_recent
    where getvariable('is_incremental') and call_file_id is null
),

older_calls as (
    select
        calls.file_id,
        calls.line_no,
        calls.charge_point_id,
        calls.unique_id,
        calls.logged_at,
        calls.action,
    from calls
    semi join unpaired
        on calls.charge_point_id = unpaired.charge_point_id
        and calls.unique_id = unpaired.unique_id
    where getvariable('is_incremental')
        and calls.logged_at < getvariable('new_lines_first_logged_at') - interval 1 day
),

paired_older as (
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
        calls.action as call_action,
        calls.file_id as call_file_id,
        calls.line_no as call_line_no,
        calls.logged_at as call_logged_at,
    from unpaired as replies
    asof left join older_calls as calls
        on replies.charge_point_id = calls.charge_point_id
        and replies.unique_id = calls.unique_id
        and replies.logged_at >= calls.logged_at
),

paired_both as (
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
        call_action,
        call_file_id,
        call_line_no,
        call_logged_at,
    from paired_recent
    where getvariable('is_incremental') is not true or call_file_id is not null
    union all
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
        call_action,
        call_file_id,
        call_line_no,
        call_logged_at,
    from paired_older
),

paired as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
        message_type_id,
        coalesce(call_action, logged_action) as action,
        payload,
        error_code,
        error_description,
        call_file_id,
        call_line_no,
        call_logged_at,
    from paired_both
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
