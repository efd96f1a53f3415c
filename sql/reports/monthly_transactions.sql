-- Operator question 4: the final charge time and final dispense of every completed transaction
-- of a month (the month its stop falls in, in the report time zone).
with

fct_transactions as (
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
        energy_kwh,
        stop_reason,
        last_register_wh,
        month,
        transaction_status,
    from fct_transactions
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
    energy_kwh,
    stop_reason,
    last_register_wh,
    month,
from fct_transactions
where month = $month
    and transaction_status = 'completed'
order by stopped_at, charge_point_id, transaction_id
