-- Every line that could not be used, with the file, line number and one clear reason.
with

landing_files as (
    select
        file_id,
        path,
        run_id,
    from landing_files
),

reader_rejects as (
    select
        file_id,
        line_no,
        raw_line,
        reason,
    from reader_rejects
),

raw_lines as (
    select
        file_id,
        line_no,
        raw_line,
    from raw_lines
),

base_ocpp__checked_lines as (
    select
        file_id,
        line_no,
        rejection_reason,
    from base_ocpp__checked_lines
    where rejection_reason is not null
),

rejected_lines as (
    select
        file_id,
        line_no,
        raw_line,
        reason,
    from reader_rejects
    union all
    select
        base_ocpp__checked_lines.file_id,
        base_ocpp__checked_lines.line_no,
        raw_lines.raw_line,
        base_ocpp__checked_lines.rejection_reason as reason,
    from base_ocpp__checked_lines
    inner join raw_lines
        on base_ocpp__checked_lines.file_id = raw_lines.file_id
        and base_ocpp__checked_lines.line_no = raw_lines.line_no
)

select
    landing_files.path as file,
    rejected_lines.line_no,
    rejected_lines.raw_line,
    rejected_lines.reason,
    landing_files.run_id,
    rejected_lines.file_id,
from rejected_lines
inner join landing_files
    on rejected_lines.file_id = landing_files.file_id
