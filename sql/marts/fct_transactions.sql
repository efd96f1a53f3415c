-- One row per transaction. Completed ones carry the billed figures; open ones (never stopped)
-- and stops whose start is not in the data stay visible with what is known. `flags` names what
-- a reviewer should look at; flagged rows stay in the mart and the reports.
-- An incremental run rebuilds the rows of the transactions (charge point and id) its lines touch
-- (int_run_touched_transactions): every row with such a key is replaced, or removed when the key
-- no longer has a transaction (its start now belongs to another id).
-- materialized: incremental
-- unique_key: charge_point_id, transaction_id
-- touched_keys: int_run_touched_transactions
with

-- not materialized (here and below): read by both branches of a union, each filtered its own way
int_transactions as not materialized (
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
        start_logged_at,
        stop_logged_at,
        start_file_id,
        start_line_no,
        stop_file_id,
        stop_line_no,
        stops_received,
        stops_differ,
        start_retransmissions,
        transaction_status,
    from int_transactions
),

int_energy_register_samples as not materialized (
    select
        charge_point_id,
        transaction_id,
        sampled_at,
        logged_at,
        energy_register_wh,
        start_file_id,
        start_line_no,
    from int_energy_register_samples
    where start_file_id is not null
),

int_transaction_prices as (
    select
        start_file_id,
        start_line_no,
        tariff_id,
        currency,
        amount_excl_vat,
        vat_amount,
        amount_incl_vat,
    from int_transaction_prices
),

stg_finance__tariffs as (
    select
        tariff_id,
    from stg_finance__tariffs
),

stg_finance__customers as (
    select
        id_tag,
        customer_id,
        customer_name,
    from stg_finance__customers
),

int_run_touched_transactions as (
    select
        charge_point_id,
        transaction_id,
    from int_run_touched_transactions
    where getvariable('is_incremental')
),

-- without a tariff file ever given nothing is priced, and nothing is flagged for it either
reference_in_force as (
    select
        (select count(*) from stg_finance__tariffs) > 0 as tariffs_given,
        (select count(*) from stg_finance__customers) > 0 as customers_given,
),

-- a full build: every transaction; an incremental run: the touched ones
transactions_to_build as (
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
        start_logged_at,
        stop_logged_at,
        start_file_id,
        start_line_no,
        stop_file_id,
        stop_line_no,
        stops_received,
        stops_differ,
        start_retransmissions,
        transaction_status,
    from int_transactions
    where getvariable('is_incremental') is not true
    union all
    select
        int_transactions.charge_point_id,
        int_transactions.transaction_id,
        int_transactions.connector_id,
        int_transactions.id_tag,
        int_transactions.meter_start_wh,
        int_transactions.meter_stop_wh,
        int_transactions.started_at,
        int_transactions.stopped_at,
        int_transactions.stop_reason,
        int_transactions.start_logged_at,
        int_transactions.stop_logged_at,
        int_transactions.start_file_id,
        int_transactions.start_line_no,
        int_transactions.stop_file_id,
        int_transactions.stop_line_no,
        int_transactions.stops_received,
        int_transactions.stops_differ,
        int_transactions.start_retransmissions,
        int_transactions.transaction_status,
    from int_transactions
    semi join int_run_touched_transactions
        on int_transactions.charge_point_id = int_run_touched_transactions.charge_point_id
        and int_transactions.transaction_id = int_run_touched_transactions.transaction_id
    where getvariable('is_incremental')
),

register_samples_to_read as (
    select
        sampled_at,
        logged_at,
        energy_register_wh,
        start_file_id,
        start_line_no,
    from int_energy_register_samples
    where getvariable('is_incremental') is not true
    union all
    select
        int_energy_register_samples.sampled_at,
        int_energy_register_samples.logged_at,
        int_energy_register_samples.energy_register_wh,
        int_energy_register_samples.start_file_id,
        int_energy_register_samples.start_line_no,
    from int_energy_register_samples
    semi join int_run_touched_transactions
        on int_energy_register_samples.charge_point_id = int_run_touched_transactions.charge_point_id
        and int_energy_register_samples.transaction_id = int_run_touched_transactions.transaction_id
    where getvariable('is_incremental')
),

last_register_sample as (
    select
        start_file_id,
        start_line_no,
        energy_register_wh as last_register_wh,
        sampled_at as last_register_sampled_at,
    from register_samples_to_read
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
        transactions.start_logged_at,
        transactions.stop_logged_at,
        transactions.start_file_id,
        transactions.start_line_no,
        transactions.stop_file_id,
        transactions.stop_line_no,
        transactions.stops_received,
        transactions.stops_differ,
        transactions.start_retransmissions,
        customers.customer_id,
        customers.customer_name,
        prices.tariff_id,
        prices.currency,
        prices.amount_excl_vat,
        prices.vat_amount,
        prices.amount_incl_vat,
        reference_in_force.tariffs_given,
        reference_in_force.customers_given,
    from transactions_to_build as transactions
    cross join reference_in_force
    left join last_register_sample
        on transactions.start_file_id = last_register_sample.start_file_id
        and transactions.start_line_no = last_register_sample.start_line_no
    left join int_transaction_prices as prices
        on transactions.start_file_id = prices.start_file_id
        and transactions.start_line_no = prices.start_line_no
    left join stg_finance__customers as customers
        on transactions.id_tag = customers.id_tag
),

flagged as (
    select
        *,
        -- energy the session would deliver between its last register sample and its stop, at its
        -- own average power: the register may trail meterStop by that much and still agree
        case
            when duration_s > 0 and last_register_sampled_at is not null
                then energy_wh * greatest(0, epoch(stopped_at) - epoch(last_register_sampled_at)) / duration_s
        end as energy_after_last_sample_wh,
    from transactions
),

with_flags as (
    select
        *,
        list_filter(
            [
                case when transaction_status = 'stop_without_start' then 'stop_without_start' end,
                case when stops_received > 1 and stops_differ then 'stopped_more_than_once' end,
                -- a StartTransaction sent again (no reply heard): counted once, shown for review
                case when start_retransmissions > 0 then 'start_retransmitted' end,
                case when energy_wh < 0 then 'negative_energy' end,
                case when duration_s <= 0 then 'non_positive_duration' end,
                case when duration_s > 7 * 86400 then 'longer_than_7_days' end,
                -- lifetime registers end near meterStop; per-session registers near energy_wh
                case
                    when last_register_wh is not null
                        and energy_after_last_sample_wh is not null
                        and abs(meter_stop_wh - last_register_wh - energy_after_last_sample_wh) > 100 + 0.02 * abs(energy_wh)
                        and abs(energy_wh - last_register_wh - energy_after_last_sample_wh) > 100 + 0.02 * abs(energy_wh)
                        then 'register_disagrees'
                end,
                case
                    when tariffs_given and transaction_status = 'completed' and tariff_id is null then 'no_tariff'
                end,
                case
                    when customers_given and id_tag is not null and customer_id is null then 'unknown_customer'
                end,
                case
                    when abs(epoch(start_logged_at) - epoch(started_at)) > 900
                        or abs(epoch(stop_logged_at) - epoch(stopped_at)) > 900
                        then 'clock_skew'
                end,
            ],
            flag -> flag is not null
        ) as flags,
    from flagged
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
    flags,
    customer_id,
    customer_name,
    tariff_id,
    currency,
    amount_excl_vat,
    vat_amount,
    amount_incl_vat,
    start_file_id,
    start_line_no,
    stop_file_id,
    stop_line_no,
from with_flags
