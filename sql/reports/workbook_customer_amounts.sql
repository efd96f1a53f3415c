-- The workbook's By customer sheet when tariffs are in force: the billed sessions of $month per
-- customer (all its idTags) and currency, with the amounts summed from the rounded lines, as an
-- invoice adds them. An idTag without a customer is a row of its own with an empty customer.
with

fct_transactions as (
    select
        id_tag,
        customer_id,
        customer_name,
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
        id_tag,
        customer_id,
        customer_name,
        duration_s,
        energy_wh,
        currency,
        amount_excl_vat,
        vat_amount,
        amount_incl_vat,
        -- an idTag nobody owns is billed to nobody: one row per such idTag
        case when customer_id is null then id_tag end as unknown_id_tag,
    from fct_transactions
    where month = $month
        and transaction_status = 'completed'
)

select
    customer_id,
    customer_name,
    string_agg(distinct id_tag, ', ' order by id_tag) as id_tags,
    count(*) as sessions,
    cast(sum(energy_wh) / 1000.0 as double) as energy_kwh,
    sum(energy_wh) as energy_wh,
    sum(duration_s) as duration_s,
    currency,
    sum(amount_excl_vat) as amount_excl_vat,
    sum(vat_amount) as vat_amount,
    sum(amount_incl_vat) as amount_incl_vat,
from billed
group by customer_id, customer_name, unknown_id_tag, currency
order by customer_id nulls last, unknown_id_tag, currency nulls last
