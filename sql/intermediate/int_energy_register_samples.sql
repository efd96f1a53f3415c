-- Energy.Active.Import.Register readings of the whole meter (no phase), in Wh exactly as reported
-- (DECIMAL(18, 3), read from the reported text: a meter's decimals are kept), each attributed
-- to the transaction it was sampled for (int_meter_samples: the latest start with its id logged
-- at or before it), so a sample that arrives after the stop still lands on the right transaction.
-- An incremental run reads, through int_meter_samples, the samples whose start its lines can
-- change (those of a touched id from its changed start on, and its new ones); those replace the
-- rows of the same lines.
-- materialized: incremental
-- unique_key: file_id, line_no
with

int_meter_samples as (
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
        unit,
        context,
        base_value,
        value_wh,
        start_file_id,
        start_line_no,
    from int_meter_samples
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
        value_wh as energy_register_wh,
        start_file_id,
        start_line_no,
    from int_meter_samples
    where measurand = 'Energy.Active.Import.Register'
        and phase is null
        and unit = 'Wh'
        and base_value is not null
        and value_wh is not null
        and sampled_at is not null
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
from register_samples
