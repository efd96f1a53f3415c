-- Charge time and energy of every completed session of $month (by stop month), for the
-- distribution charts of the HTML report.
with

fct_transactions as (
    select
        charge_point_id,
        transaction_id,
        stopped_at,
        duration_s,
        energy_wh,
        month,
        transaction_status,
    from fct_transactions
    where month = $month
        and transaction_status = 'completed'
)

select
    charge_point_id,
    duration_s,
    energy_wh,
from fct_transactions
order by charge_point_id, stopped_at, transaction_id
