-- The workbook's By charge point sheet: the billed sessions of $month per charge point and
-- connector (and currency, when tariffs are in force: amounts in two currencies never add up).
with

fct_transactions as (
    select
        charge_point_id,
        connector_id,
        duration_s,
        energy_wh,
        currency,
        amount_excl_vat,
        vat_amount,
        amount_incl_vat,
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
        currency,
        amount_excl_vat,
        vat_amount,
        amount_incl_vat,
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
    currency,
    sum(amount_excl_vat) as amount_excl_vat,
    sum(vat_amount) as vat_amount,
    sum(amount_incl_vat) as amount_incl_vat,
from billed
group by charge_point_id, connector_id, currency
order by charge_point_id, connector_id nulls last, currency nulls last
