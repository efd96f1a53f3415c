-- Operator question 2: the last known dispense of a transaction, i.e. the latest
-- Energy.Active.Import.Register reading (whole meter, Wh) by sample time. Transaction ids restart
-- after a reboot, so this is the most recent transaction with that id on that charge point.
-- When no sample was sent, the register readings in the Start/StopTransaction stand in, and
-- `source` says which was used.
with

fct_transactions as (
    select
        charge_point_id,
        transaction_id,
        started_at,
        stopped_at,
        meter_start_wh,
        meter_stop_wh,
        last_register_wh,
        last_register_sampled_at,
        start_file_id,
        stop_file_id,
    from fct_transactions
),

latest_transaction as (
    select
        charge_point_id,
        transaction_id,
        started_at,
        stopped_at,
        meter_start_wh,
        meter_stop_wh,
        last_register_wh,
        last_register_sampled_at,
    from fct_transactions
    where charge_point_id = $charge_point_id
        and transaction_id = $transaction_id
    order by coalesce(started_at, stopped_at) desc
    limit 1
)

select
    charge_point_id,
    transaction_id,
    -- the register as the meter reported it, decimals included (meterStart/meterStop are whole Wh)
    cast(
        case
            when last_register_wh is not null then last_register_wh
            when meter_stop_wh is not null then meter_stop_wh
            else meter_start_wh
        end as decimal(18, 3)
    ) as energy_register_wh,
    case
        when last_register_wh is not null then last_register_sampled_at
        when meter_stop_wh is not null then stopped_at
        else started_at
    end as sampled_at,
    case
        when last_register_wh is not null then 'MeterValues'
        when meter_stop_wh is not null then 'StopTransaction.meterStop'
        else 'StartTransaction.meterStart'
    end as source,
from latest_transaction
