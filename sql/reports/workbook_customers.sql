-- The workbook's By customer sheet: the billed sessions of $month per idTag.
with

fct_transactions as (
    select
        id_tag,
        duration_s,
        energy_wh,
        month,
        transaction_status,
    from fct_transactions
),

billed as (
    select
        id_tag,
        duration_s,
        energy_wh,
    from fct_transactions
    where month = $month
        and transaction_status = 'completed'
)

select
    id_tag,
    count(*) as sessions,
    -- kWh from the exact Wh sum, so the two columns cannot drift apart
    cast(sum(energy_wh) / 1000.0 as double) as energy_kwh,
    sum(energy_wh) as energy_wh,
    sum(duration_s) as duration_s,
from billed
group by id_tag
order by id_tag nulls last
