-- The status page's open sessions: every transaction started at or before $as_of and not stopped
-- by then (by log time, as `query active` decides a charge point's open transaction), with its
-- last known dispense as `query dispense` (transaction_dispense.sql) defines it, from what had
-- been received by $as_of: the latest Energy.Active.Import.Register sample by sample time (exactly
-- as reported), else the StartTransaction meter reading, and `source` says which. With $as_of at
-- or after the newest line, the figure is the one `query dispense` prints.
with

int_transactions as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        meter_start_wh,
        started_at,
        start_logged_at,
        stop_logged_at,
        start_file_id,
        start_line_no,
    from int_transactions
),

int_energy_register_samples as (
    select
        sampled_at,
        logged_at,
        energy_register_wh,
        start_file_id,
        start_line_no,
    from int_energy_register_samples
    where start_file_id is not null
),

open_at as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        meter_start_wh,
        started_at,
        start_file_id,
        start_line_no,
    from int_transactions
    where start_logged_at <= $as_of
        and (stop_logged_at is null or stop_logged_at > $as_of)
),

-- the order fct_transactions picks its last register sample by
last_register_sample as (
    select
        int_energy_register_samples.start_file_id,
        int_energy_register_samples.start_line_no,
        int_energy_register_samples.energy_register_wh,
        int_energy_register_samples.sampled_at,
    from int_energy_register_samples
    semi join open_at
        on int_energy_register_samples.start_file_id = open_at.start_file_id
        and int_energy_register_samples.start_line_no = open_at.start_line_no
    where int_energy_register_samples.logged_at <= $as_of
    qualify row_number() over (
        partition by int_energy_register_samples.start_file_id, int_energy_register_samples.start_line_no
        order by
            int_energy_register_samples.sampled_at desc,
            int_energy_register_samples.logged_at desc,
            int_energy_register_samples.energy_register_wh desc
    ) = 1
)

select
    open_at.charge_point_id,
    open_at.transaction_id,
    open_at.connector_id,
    open_at.id_tag,
    open_at.started_at,
    (epoch_us($as_of) - epoch_us(open_at.started_at)) // 1000000 as running_s,
    -- the type `query dispense` gives it: the register as reported, decimals included
    cast(coalesce(last_register_sample.energy_register_wh, open_at.meter_start_wh) as decimal(18, 3))
        as energy_register_wh,
    case
        when last_register_sample.energy_register_wh is not null then last_register_sample.sampled_at
        else open_at.started_at
    end as sampled_at,
    case
        when last_register_sample.energy_register_wh is not null then 'MeterValues'
        else 'StartTransaction.meterStart'
    end as source,
from open_at
left join last_register_sample
    on open_at.start_file_id = last_register_sample.start_file_id
    and open_at.start_line_no = last_register_sample.start_line_no
order by open_at.started_at desc, open_at.charge_point_id, open_at.transaction_id
