-- Quarantined lines (and, on request, schema warnings on kept lines), for one run or all.
with

quarantine as (
    select
        file,
        line_no,
        raw_line,
        reason,
        run_id,
    from quarantine
),

payload_warnings as (
    select
        file,
        line_no,
        reason,
        run_id,
        file_id,
    from payload_warnings
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

entries as (
    select
        'quarantined' as kind,
        file,
        line_no,
        reason,
        raw_line,
        run_id,
    from quarantine
    union all
    select
        'warning' as kind,
        payload_warnings.file,
        payload_warnings.line_no,
        payload_warnings.reason,
        line_texts.raw_line,
        payload_warnings.run_id,
    from payload_warnings
    left join line_texts
        on payload_warnings.file_id = line_texts.file_id
        and payload_warnings.line_no = line_texts.line_no
    where $include_warnings
)

select
    kind,
    run_id,
    file,
    line_no,
    reason,
    left(raw_line, 500) as raw_line,
from entries
where $run_id is null or run_id = $run_id
order by run_id, file, line_no, kind
