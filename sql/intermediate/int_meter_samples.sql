-- materialized: view
-- Every sampled value (stg_ocpp__meter_values), in its base unit (kWh -> Wh, kW -> W, ...) and
-- attributed to the transaction start it belongs to: the latest start with the same charge point
-- and transaction id logged at or before the sample (ids are reused after a reboot). The one
-- place where samples are converted and attributed: the energy register and the meter_samples
-- export both read it.
--
-- Not an asof join: it sorts every sample, and that sort was most of the export's time. Each
-- start owns an interval, up to the next start with its id, and a hash join with a range
-- condition finds the one interval a sample falls in (the start the asof join would find). An id
-- started very often (firmware that sends the same id every time) would multiply that join, so
-- its intervals are cut into days and its samples join on the day too.
with

-- not materialized: read by each branch of samples_in_scope, with its own filter to push down
stg_ocpp__meter_values as not materialized (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        value_text,
        sampled_value,
        measurand,
        phase,
        unit,
        context,
        location,
    from stg_ocpp__meter_values
),

int_run_touched_transactions as (
    select
        charge_point_id,
        transaction_id,
        samples_from_logged_at,
    from int_run_touched_transactions
    where getvariable('is_incremental') and samples_from_logged_at is not null
),

int_transaction_starts as (
    select
        charge_point_id,
        transaction_id,
        started_at,
        start_logged_at,
        start_file_id,
        start_line_no,
    from int_transaction_starts
    where transaction_id is not null
),

base_ocpp__lines as (
    select
        charge_point_id,
        logged_at,
    from base_ocpp__lines
),

-- A full build, and every reader outside a build, converts and attributes every sample. An
-- incremental build (int_energy_register_samples) reads only the samples whose start its lines
-- can change: the samples of a touched id logged from its changed start on, and every sample
-- logged from the run's first new line on in the files from the first one it read (its new
-- ones among them; the others come out as they were). The two sets are kept apart (an anti join),
-- because a line may hold two equal samples and a union would merge them.
samples_of_changed_starts as (
    select
        samples.file_id,
        samples.line_no,
        samples.charge_point_id,
        samples.logged_at,
        samples.connector_id,
        samples.transaction_id,
        samples.sampled_at,
        samples.value_text,
        samples.sampled_value,
        samples.measurand,
        samples.phase,
        samples.unit,
        samples.context,
        samples.location,
    from stg_ocpp__meter_values as samples
    semi join int_run_touched_transactions
        on samples.charge_point_id = int_run_touched_transactions.charge_point_id
        and samples.transaction_id = int_run_touched_transactions.transaction_id
        and samples.logged_at >= int_run_touched_transactions.samples_from_logged_at
    where getvariable('is_incremental')
        -- the earliest of those bounds as a constant (set by the model runner once
        -- int_run_touched_transactions is built): DuckDB skips the older lines instead of
        -- unnesting the readings of all history
        and samples.logged_at >= coalesce(getvariable('touched_samples_from_logged_at'), '-infinity'::timestamptz)
),

samples_in_scope as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        value_text,
        sampled_value,
        measurand,
        phase,
        unit,
        context,
        location,
    from stg_ocpp__meter_values
    where getvariable('is_incremental') is not true
    union all
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        value_text,
        sampled_value,
        measurand,
        phase,
        unit,
        context,
        location,
    from samples_of_changed_starts
    union all
    select
        samples.file_id,
        samples.line_no,
        samples.charge_point_id,
        samples.logged_at,
        samples.connector_id,
        samples.transaction_id,
        samples.sampled_at,
        samples.value_text,
        samples.sampled_value,
        samples.measurand,
        samples.phase,
        samples.unit,
        samples.context,
        samples.location,
    from stg_ocpp__meter_values as samples
    anti join int_run_touched_transactions
        on samples.charge_point_id = int_run_touched_transactions.charge_point_id
        and samples.transaction_id = int_run_touched_transactions.transaction_id
        and samples.logged_at >= int_run_touched_transactions.samples_from_logged_at
    where getvariable('is_incremental')
        and samples.file_id >= getvariable('first_changed_file_id')
        and samples.logged_at >= getvariable('new_lines_first_logged_at')
),

start_intervals as (
    select
        charge_point_id,
        transaction_id,
        started_at,
        start_logged_at,
        lead(start_logged_at, 1, 'infinity') over (
            partition by charge_point_id, transaction_id
            order by start_logged_at, start_file_id, start_line_no
        ) as next_start_logged_at,
        start_file_id,
        start_line_no,
        count(*) over (partition by charge_point_id, transaction_id) > 16 as often_started,
    from int_transaction_starts
),

often_started_ids as (
    select distinct
        charge_point_id,
        transaction_id,
    from start_intervals
    where often_started
),

last_logged as (
    select
        charge_point_id,
        max(logged_at) as last_logged_at,
    from base_ocpp__lines
    where charge_point_id in (select often_started_ids.charge_point_id from often_started_ids)
    group by charge_point_id
),

-- the join key: (charge point, id, -1) for an id started a few times, (charge point, id, UTC day)
-- for each day an interval of an often started id covers
interval_keys as (
    select
        start_intervals.charge_point_id,
        start_intervals.transaction_id,
        start_intervals.started_at,
        start_intervals.start_logged_at,
        start_intervals.next_start_logged_at,
        start_intervals.start_file_id,
        start_intervals.start_line_no,
        unnest(
            case
                when not start_intervals.often_started then [-1]
                else generate_series(
                    epoch_us(start_intervals.start_logged_at) // 86400000000,
                    epoch_us(least(start_intervals.next_start_logged_at, last_logged.last_logged_at)) // 86400000000
                )
            end
        ) as join_day,
    from start_intervals
    left join last_logged
        on start_intervals.charge_point_id = last_logged.charge_point_id
),

in_base_units as (
    select
        samples.file_id,
        samples.line_no,
        samples.charge_point_id,
        samples.logged_at,
        samples.connector_id,
        samples.transaction_id,
        samples.sampled_at,
        samples.value_text,
        samples.measurand,
        samples.phase,
        samples.location,
        samples.context,
        samples.unit as reported_unit,
        case samples.unit
            when 'kWh' then 'Wh'
            when 'kW' then 'W'
            when 'kvarh' then 'varh'
            when 'kvar' then 'var'
            when 'kVA' then 'VA'
            else samples.unit
        end as unit,
        -- rounded to 0.001 of the base unit after scaling, so 12.345 kWh is 12345 Wh, not 12344.999...
        -- (a double, not a wide decimal: DuckDB parses those two orders of magnitude slower)
        case
            when not isfinite(samples.sampled_value) then null
            when samples.unit in ('kWh', 'kW', 'kvarh', 'kvar', 'kVA') then round(samples.sampled_value * 1000, 3)
            else samples.sampled_value
        end as base_value,
        -- an energy reading exactly as reported, from its text (never through a double): 146659.8 Wh
        -- stays 146659.8, 11730.1 kWh is 11730100 Wh; three decimals of Wh, six of kWh
        case
            when samples.unit = 'Wh' then try_cast(samples.value_text as decimal(18, 3))
            when samples.unit = 'kWh' then cast(try_cast(samples.value_text as decimal(18, 6)) * 1000 as decimal(18, 3))
        end as value_wh,
        case when often_started_ids.transaction_id is null then -1 else epoch_us(samples.logged_at) // 86400000000 end as join_day,
    from samples_in_scope as samples
    left join often_started_ids
        on samples.charge_point_id = often_started_ids.charge_point_id
        and samples.transaction_id = often_started_ids.transaction_id
),

attributed as (
    select
        samples.file_id,
        samples.line_no,
        samples.charge_point_id,
        samples.logged_at,
        samples.connector_id,
        samples.transaction_id,
        samples.sampled_at,
        samples.value_text,
        samples.measurand,
        samples.phase,
        samples.location,
        samples.context,
        samples.reported_unit,
        samples.unit,
        samples.base_value,
        samples.value_wh,
        starts.started_at as transaction_started_at,
        starts.start_file_id,
        starts.start_line_no,
    from in_base_units as samples
    left join interval_keys as starts
        on samples.charge_point_id = starts.charge_point_id
        and samples.transaction_id = starts.transaction_id
        and samples.join_day = starts.join_day
        and samples.logged_at >= starts.start_logged_at
        and samples.logged_at < starts.next_start_logged_at
)

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
    location,
    context,
    reported_unit,
    unit,
    base_value,
    value_wh,
    transaction_started_at,
    start_file_id,
    start_line_no,
from attributed
