-- Every sampled value of the MeterValues whose sample time falls in one month (report time
-- zone; the log time stands in when the sample time is unreadable), one row each, with the value
-- in the base unit (kWh -> Wh, kW -> W, ...) and the transaction start it belongs to: the latest
-- start with its id logged at or before the sample, as in int_energy_register_samples.
with

stg_ocpp__meter_values as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        value_text,
        measurand,
        phase,
        unit,
        context,
        location,
    from stg_ocpp__meter_values
),

int_transaction_starts as (
    select
        charge_point_id,
        transaction_id,
        started_at,
        start_logged_at,
    from int_transaction_starts
    where transaction_id is not null
),

month_samples as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        value_text,
        measurand,
        phase,
        unit,
        context,
        location,
    from stg_ocpp__meter_values
    where strftime(coalesce(sampled_at, logged_at) at time zone getvariable('report_timezone'), '%Y-%m') = $month
),

in_base_units as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        measurand,
        phase,
        location,
        context,
        unit as reported_unit,
        case unit
            when 'kWh' then 'Wh'
            when 'kW' then 'W'
            when 'kvarh' then 'varh'
            when 'kvar' then 'var'
            when 'kVA' then 'VA'
            else unit
        end as unit,
        case when unit in ('kWh', 'kW', 'kvarh', 'kvar', 'kVA') then 1000 else 1 end as unit_factor,
        value_text,
    from month_samples
),

in_base_values as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        measurand,
        phase,
        location,
        context,
        unit,
        reported_unit,
        -- rounded to 0.001 of the base unit after scaling, so 12.345 kWh is 12345 Wh, not 12344.999...
        -- (a double, not a wide decimal: DuckDB parses those two orders of magnitude slower)
        case
            when not isfinite(try_cast(value_text as double)) then null
            when unit_factor = 1 then try_cast(value_text as double)
            else round(try_cast(value_text as double) * unit_factor, 3)
        end as base_value,
    from in_base_units
),

attributed as (
    select
        samples.file_id,
        samples.line_no,
        samples.charge_point_id,
        samples.logged_at,
        samples.connector_id,
        samples.transaction_id,
        starts.started_at as transaction_started_at,
        samples.sampled_at,
        samples.measurand,
        samples.phase,
        samples.location,
        samples.context,
        samples.unit,
        samples.reported_unit,
        samples.base_value,
    from in_base_values as samples
    asof left join int_transaction_starts as starts
        on samples.charge_point_id = starts.charge_point_id
        and samples.transaction_id = starts.transaction_id
        and samples.logged_at >= starts.start_logged_at
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
    case when unit = 'Wh' then try_cast(round(base_value) as bigint) end as value_wh,
    strftime(coalesce(sampled_at, logged_at) at time zone getvariable('report_timezone'), '%Y-%m') as month,
from attributed
order by charge_point_id, sampled_at, connector_id, logged_at, file_id, line_no, measurand, phase, location, context, unit, reported_unit, value
