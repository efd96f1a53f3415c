-- Every sampled value of the MeterValues whose sample time falls in one month (report time
-- zone; the log time stands in when the sample time is unreadable), one row each, with the value
-- in the base unit and the start of the transaction it belongs to (int_meter_samples). Only the
-- days in $days (comma-separated YYYY-MM-DD) when it is not empty; the exporter also sets their
-- span, export_days_from_at to export_days_until_at (variables: DuckDB folds them into constants,
-- where an expression of a parameter is evaluated for every sample), which every sample is
-- compared with before its day is formatted. The exporter writes one file per day, sorted then
-- (file_id and line_no make the order total; day, file_id and line_no are not written).
with

int_meter_samples as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        transaction_started_at,
        sampled_at,
        measurand,
        phase,
        location,
        context,
        unit,
        reported_unit,
        base_value,
        value_wh,
    from int_meter_samples
),

month_samples as (
    select
        samples.file_id,
        samples.line_no,
        samples.charge_point_id,
        samples.logged_at,
        samples.connector_id,
        samples.transaction_id,
        samples.transaction_started_at,
        samples.sampled_at,
        samples.measurand,
        samples.phase,
        samples.location,
        samples.context,
        samples.unit,
        samples.reported_unit,
        samples.base_value,
        samples.value_wh,
    from int_meter_samples as samples
    -- the month's bounds in the report time zone, a day wider on each side (where clocks go back
    -- at midnight, America/Havana, the month's first local hour comes before the 00:00 that
    -- timezone() picks; the month of each sample's day decides below): constants (a parameter
    -- and a variable), so the filter reaches the samples before they are attributed to their
    -- starts, and a month costs its own samples, not every sample kept
    where coalesce(samples.sampled_at, samples.logged_at)
            >= timezone(getvariable('report_timezone'), cast(strptime($month, '%Y-%m') - interval 1 day as timestamp))
        and coalesce(samples.sampled_at, samples.logged_at)
            < timezone(getvariable('report_timezone'), cast(strptime($month, '%Y-%m') + interval 1 month + interval 1 day as timestamp))
),

with_day as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        transaction_started_at,
        sampled_at,
        measurand,
        phase,
        location,
        context,
        unit,
        reported_unit,
        base_value,
        value_wh,
        strftime(coalesce(sampled_at, logged_at) at time zone getvariable('report_timezone'), '%Y-%m-%d') as day,
    from month_samples
)

select
    charge_point_id,
    connector_id,
    transaction_id,
    transaction_started_at,
    sampled_at,
    logged_at,
    measurand,
    phase,
    location,
    context,
    unit,
    reported_unit,
    cast(base_value as double) as value,
    value_wh,
    left(day, 7) as month,
    day,
    file_id,
    line_no,
from with_day
where
    -- the month's days (a sample a day or more inside its bounds is one without formatting it)
    (
        (
            coalesce(sampled_at, logged_at)
                >= timezone(getvariable('report_timezone'), cast(strptime($month, '%Y-%m') + interval 1 day as timestamp))
            and coalesce(sampled_at, logged_at)
                < timezone(getvariable('report_timezone'), cast(strptime($month, '%Y-%m') + interval 1 month - interval 1 day as timestamp))
        )
        or left(day, 7) = $month
    )
    -- then the days asked for, the cheap comparisons with constants first
    and (
        $days = ''
        or (
            coalesce(sampled_at, logged_at) >= coalesce(getvariable('export_days_from_at'), '-infinity'::timestamptz)
            and coalesce(sampled_at, logged_at) < coalesce(getvariable('export_days_until_at'), 'infinity'::timestamptz)
            and list_contains(string_split($days, ','), day)
        )
    )
