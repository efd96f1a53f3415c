-- The rows of fct_transactions exported for one month: every transaction whose stop falls in
-- it (completed, or a stop whose start is not in the data), in a stable order.
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
        last_register_sampled_at,
        month,
        transaction_status,
        flags,
        customer_id,
        customer_name,
        tariff_id,
        currency,
        amount_excl_vat,
        vat_amount,
        amount_incl_vat,
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
    last_register_sampled_at,
    month,
    transaction_status,
    flags,
    customer_id,
    customer_name,
    tariff_id,
    currency,
    amount_excl_vat,
    vat_amount,
    amount_incl_vat,
from fct_transactions
where month = $month
order by charge_point_id, stopped_at, transaction_id
