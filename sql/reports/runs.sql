-- The run log, newest first: what each nightly run loaded, quarantined and exported.
with

runs as (
    select
        run_id,
        started_at,
        finished_at,
        status,
        files_loaded,
        files_skipped,
        files_rejected,
        files_missing,
        lines_read,
        lines_loaded,
        lines_quarantined,
        lines_blank,
        months_exported,
        error,
        mode,
    from runs
)

select
    run_id,
    started_at,
    finished_at,
    status,
    files_loaded,
    files_skipped,
    files_rejected,
    files_missing,
    lines_read,
    lines_loaded,
    lines_quarantined,
    lines_blank,
    array_to_string(months_exported, ',') as months_exported,
    error,
    mode,
from runs
order by run_id desc
limit $limit
