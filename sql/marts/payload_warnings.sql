-- Schema violations that cannot make a figure wrong (e.g. an idTag longer than 20 characters):
-- the message is kept and used; the warning says what a strict central system would reject.
with

landing_files as (
    select
        file_id,
        path,
        run_id,
    from landing_files
),

payload_violations as (
    select
        file_id,
        line_no,
        severity,
        reason,
    from payload_violations
    where severity = 'warning'
)

select
    landing_files.path as file,
    payload_violations.line_no,
    payload_violations.reason,
    landing_files.run_id,
    payload_violations.file_id,
from payload_violations
inner join landing_files
    on payload_violations.file_id = landing_files.file_id
