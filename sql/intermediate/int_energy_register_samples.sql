-- Energy.Active.Import.Register readings of the whole meter (no phase), in Wh, each attributed
-- to the transaction it was sampled for: the latest start with its id logged at or before it,
-- so a sample that arrives after the stop still lands on the right transaction.
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
        sampled_value,
        measurand,
        phase,
        unit,
        context,
    from stg_ocpp__meter_values
),

int_transaction_starts as (
    select
        charge_point_id,
        transaction_id,
        start_logged_at,
        start_file_id,
        start_line_no,
    from int_transaction_starts
    where transaction_id is not null
),

register_samples as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        transaction_id,
        sampled_at,
        context,
        cast(round(sampled_value * case unit when 'kWh' then 1000 else 1 end) as bigint) as energy_register_wh,
    from stg_ocpp__meter_values
    where measurand = 'Energy.Active.Import.Register'
        and phase is null
        and unit in ('Wh', 'kWh')
        and sampled_value is not null
        and sampled_at is not null
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
        samples.context,
        samples.energy_register_wh,
        starts.start_file_id,
        starts.start_line_no,
    from register_samples as samples
    asof left join int_transaction_starts as starts
        on samples.charge_point_id = starts.charge_point_id
        and samples.transaction_id = starts.transaction_id
        and samples.logged_at >= starts.start_logged_at
)

select
    file_id,
    line_no,
    charge_point_id,
    logged_at,
    connector_id,
    transaction_id,
    sampled_at,
    context,
    energy_register_wh,
    start_file_id,
    start_line_no,
from attributed
