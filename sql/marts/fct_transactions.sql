-- One row per transaction. Completed ones carry the billed figures; open ones (never stopped)
-- and stops whose start is not in the data stay visible with what is known.
with

int_transactions as (
    select
        charge_point_id,
        transaction_id,
        connector_id,
        id_tag,
        meter_start_wh,
        meter_stop_wh,
        started_at,
        stopped_at,
        stop_reason,
        start_file_id,
        start_line_no,
        stop_file_id,
        stop_line_no,
        transaction_status,
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

last_register_sample as (
    select
        start_file_id,
        start_line_no,
        energy_register_wh as last_register_wh,
        sampled_at as last_register_sampled_at,
    from int_energy_register_samples
    qualify row_number() over (
        partition by start_file_id, start_line_no
        order by sampled_at desc, logged_at desc, energy_register_wh desc
    ) = 1
),

transactions as (
    select
        transactions.charge_point_id,
        transactions.transaction_id,
        transactions.connector_id,
        transactions.id_tag,
        transactions.started_at,
        transactions.stopped_at,
        -- whole seconds elapsed, truncated; counting second boundaries would be off by one
        cast(trunc((epoch_us(transactions.stopped_at) - epoch_us(transactions.started_at)) / 1000000) as bigint)
            as duration_s,
        transactions.meter_start_wh,
        transactions.meter_stop_wh,
        transactions.meter_stop_wh - transactions.meter_start_wh as energy_wh,
        (transactions.meter_stop_wh - transactions.meter_start_wh) / 1000.0 as energy_kwh,
        transactions.stop_reason,
        last_register_sample.last_register_wh,
        last_register_sample.last_register_sampled_at,
        strftime(transactions.stopped_at at time zone getvariable('report_timezone'), '%Y-%m') as month,
        transactions.transaction_status,
        transactions.start_file_id,
        transactions.start_line_no,
        transactions.stop_file_id,
        transactions.stop_line_no,
    from int_transactions as transactions
    left join last_register_sample
        on transactions.start_file_id = last_register_sample.start_file_id
        and transactions.start_line_no = last_register_sample.start_line_no
)

select
    charge_point_id,
    transaction_id,
    connector_id,
    id_tag,
    started_at,
    stopped_at,
    duration_s,
    meter_start_wh,
    meter_stop_wh,
    energy_wh,
    cast(energy_kwh as double) as energy_kwh,
    stop_reason,
    last_register_wh,
    last_register_sampled_at,
    month,
    transaction_status,
    start_file_id,
    start_line_no,
    stop_file_id,
    stop_line_no,
from transactions
