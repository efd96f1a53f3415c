-- The days (report time zone, YYYY-MM-DD) whose meter samples can differ after this run: days
-- sampled by a line of this run, and the days of the samples a start can take over because this
-- run brought it or the reply that gave it its id: those of its transaction id logged from the
-- start on (a sample belongs to the latest start with its id logged at or before it).
with

run_changed_files as (
    select
        file_id,
    from run_changed_files
),

int_meter_samples as (
    select
        file_id,
        charge_point_id,
        transaction_id,
        logged_at,
        sampled_at,
    from int_meter_samples
),

int_transaction_starts as (
    select
        charge_point_id,
        transaction_id,
        start_logged_at,
        start_file_id,
        start_line_no,
    from int_transaction_starts
    where transaction_id is not null
),

int_ocpp__replies as (
    select
        file_id,
        call_file_id,
        call_line_no,
    from int_ocpp__replies
),

changed_starts as (
    select
        starts.charge_point_id,
        starts.transaction_id,
        min(starts.start_logged_at) as first_start_logged_at,
    from int_transaction_starts as starts
    left join int_ocpp__replies as replies
        on starts.start_file_id = replies.call_file_id
        and starts.start_line_no = replies.call_line_no
        and replies.file_id >= getvariable('first_changed_file_id')
        and replies.file_id in (select run_changed_files.file_id from run_changed_files)
    where starts.start_file_id in (select run_changed_files.file_id from run_changed_files)
        or replies.file_id is not null
    group by starts.charge_point_id, starts.transaction_id
),

touched_samples as (
    select
        logged_at,
        sampled_at,
    from int_meter_samples
    where file_id in (select run_changed_files.file_id from run_changed_files)
    union all
    select
        samples.logged_at,
        samples.sampled_at,
    from int_meter_samples as samples
    inner join changed_starts
        on samples.charge_point_id = changed_starts.charge_point_id
        and samples.transaction_id = changed_starts.transaction_id
        and samples.logged_at >= changed_starts.first_start_logged_at
)

select distinct
    strftime(coalesce(sampled_at, logged_at) at time zone getvariable('report_timezone'), '%Y-%m-%d') as day,
from touched_samples
order by day
