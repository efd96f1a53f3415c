-- Line accounting per landing file. lines_read is counted by the reader as it streams the file;
-- loaded and quarantined are counted from what reached the warehouse, so the audit
-- lines_read = loaded + quarantined + blank checks the loader as well as the parser.
with

landing_files as (
    select
        file_id,
        path,
        status,
        error,
        lines_read,
        lines_blank,
        run_id,
    from landing_files
),

base_ocpp__checked_lines as (
    select
        file_id,
        rejection_reason,
    from base_ocpp__checked_lines
),

quarantine as (
    select
        file_id,
    from quarantine
),

loaded as (
    select
        file_id,
        count(*) as lines_loaded,
    from base_ocpp__checked_lines
    where rejection_reason is null
    group by file_id
),

quarantined as (
    select
        file_id,
        count(*) as lines_quarantined,
    from quarantine
    group by file_id
)

select
    landing_files.file_id,
    landing_files.path,
    landing_files.status,
    landing_files.error,
    landing_files.run_id,
    landing_files.lines_read,
    coalesce(loaded.lines_loaded, 0) as lines_loaded,
    coalesce(quarantined.lines_quarantined, 0) as lines_quarantined,
    landing_files.lines_blank,
from landing_files
left join loaded
    on landing_files.file_id = loaded.file_id
left join quarantined
    on landing_files.file_id = quarantined.file_id
