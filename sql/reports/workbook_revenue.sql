-- The workbook's Summary revenue when tariffs are in force: per currency, the sums of the rounded
-- amounts of the completed transactions of $month (as an invoice adds its lines), and how many
-- completed transactions had no tariff in force (not priced).
with

fct_transactions as (
    select
        currency,
        amount_excl_vat,
        vat_amount,
        amount_incl_vat,
        month,
        transaction_status,
    from fct_transactions
)

select
    currency,
    count(*) as transactions,
    sum(amount_excl_vat) as amount_excl_vat,
    sum(vat_amount) as vat_amount,
    sum(amount_incl_vat) as amount_incl_vat,
from fct_transactions
where month = $month
    and transaction_status = 'completed'
group by currency
order by currency nulls last
