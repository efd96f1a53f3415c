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

-- the parse keeps the text of every line it rejects or leaves to the schema check
line_texts as (
    select
        file_id,
        line_no,
        raw_line,
    from base_ocpp__lines
    where raw_line is not null
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
        line_texts.raw_line,
        base_ocpp__checked_lines.rejection_reason as reason,
    from base_ocpp__checked_lines
    -- a line parsed by an earlier version, whose file has left the landing, may have no text kept
    left join line_texts
        on base_ocpp__checked_lines.file_id = line_texts.file_id
        and base_ocpp__checked_lines.line_no = line_texts.line_no
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
