-- The workbook's By charge point sheet: the billed sessions of $month per charge point and connector.
with

fct_transactions as (
    select
        charge_point_id,
        connector_id,
        duration_s,
        energy_wh,
        month,
        transaction_status,
    from fct_transactions
),

billed as (
    select
        charge_point_id,
        connector_id,
        duration_s,
        energy_wh,
    from fct_transactions
    where month = $month
        and transaction_status = 'completed'
)

select
    charge_point_id,
    connector_id,
    count(*) as sessions,
    -- kWh from the exact Wh sum, so the two columns cannot drift apart
    cast(sum(energy_wh) / 1000.0 as double) as energy_kwh,
    sum(energy_wh) as energy_wh,
    sum(duration_s) as duration_s,
from billed
group by charge_point_id, connector_id
order by charge_point_id, connector_id nulls last
