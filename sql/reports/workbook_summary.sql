-- The workbook's Summary sheet: one row of figures for $month and run $run_id.
with

fct_transactions as (
    select
        charge_point_id,
        id_tag,
        started_at,
        duration_s,
        energy_wh,
        month,
        transaction_status,
        flags,
    from fct_transactions
),

fct_landing_file_lines as (
    select
        file_id,
        lines_read,
        lines_loaded,
        lines_quarantined,
        lines_blank,
    from fct_landing_file_lines
),

runs as (
    select
        run_id,
        started_at,
    from runs
),

month_figures as (
    select
        count(*) filter (where transaction_status = 'completed') as completed_transactions,
        coalesce(sum(energy_wh) filter (where transaction_status = 'completed'), 0) as energy_wh,
        coalesce(sum(duration_s) filter (where transaction_status = 'completed'), 0) as duration_s,
        count(distinct id_tag) filter (where transaction_status = 'completed') as customers,
        count(distinct charge_point_id) filter (where transaction_status = 'completed') as charge_points,
        count(*) filter (where transaction_status = 'stop_without_start') as stops_without_start,
        count(*) filter (where coalesce(len(flags), 0) > 0) as flagged_transactions,
    from fct_transactions
    where month = $month
),

open_figures as (
    select
        count(*) as open_transactions,
    from fct_transactions
    where transaction_status = 'open'
        and strftime(started_at at time zone getvariable('report_timezone'), '%Y-%m') <= $month
),

source_figures as (
    select
        count(*) as source_files,
        coalesce(sum(lines_read), 0) as source_lines_read,
        coalesce(sum(lines_loaded), 0) as source_lines_loaded,
        coalesce(sum(lines_quarantined), 0) as source_lines_quarantined,
        coalesce(sum(lines_blank), 0) as source_lines_blank,
    from fct_landing_file_lines
),

run_figures as (
    select
        max(started_at) as run_started_at,
    from runs
    where run_id = $run_id
)

select
    month_figures.completed_transactions,
    month_figures.energy_wh,
    month_figures.duration_s,
    month_figures.customers,
    month_figures.charge_points,
    open_figures.open_transactions,
    month_figures.stops_without_start,
    month_figures.flagged_transactions,
    source_figures.source_files,
    source_figures.source_lines_read,
    source_figures.source_lines_loaded,
    source_figures.source_lines_quarantined,
    source_figures.source_lines_blank,
    run_figures.run_started_at,
    date_trunc('second', run_figures.run_started_at at time zone getvariable('report_timezone'))
        as run_started_local,
from month_figures
cross join open_figures
cross join source_figures
cross join run_figures
