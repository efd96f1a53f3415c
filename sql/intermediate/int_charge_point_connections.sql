-- materialized: incremental
-- Each charge point's messages (base_ocpp__messages: valid, each once) summed per file and batch
-- of lines a run modelled: first and last log time and count. dim_charge_points adds these few rows
-- up instead of reading every message of every charge point on each run.
-- line_no is the first line of the batch: an incremental run replaces the rows from its
-- from_line_no on, which are exactly the batches it models again (a nightly run, every batch of
-- a file since the last nightly run; a live run, none but its own).
with

base_ocpp__messages as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
    from base_ocpp__messages
    where getvariable('is_incremental') is not true
        or is_run_line(file_id, line_no)
),

batches as (
    select
        file_id,
        charge_point_id,
        min(line_no) as line_no,
        min(logged_at) as first_seen_at,
        max(logged_at) as last_seen_at,
        count(*) as messages,
    from base_ocpp__messages
    group by file_id, charge_point_id
)

select
    file_id,
    line_no,
    charge_point_id,
    first_seen_at,
    last_seen_at,
    messages,
from batches
