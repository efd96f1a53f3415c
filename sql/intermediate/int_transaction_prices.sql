-- The price of every completed transaction: the tariff in force at its start and the amounts,
-- exact to the cent. The tariff in force is the one for the transaction's own charge point if
-- one applies, else the one for every charge point ('*'); among those the latest valid_from on
-- or before the start's date in the report time zone.
--
-- Amounts are computed in integers (HUGEINT), never in binary floating point, and never through
-- DuckDB's DECIMAL division (which returns DOUBLE). With prices in millionths (micro-units):
--   amount = energy_wh / 1000 × kwh + duration_s / 3600 × hour + session
--          = (energy_wh × kwh_micro × 3600 + duration_s × hour_micro × 1000 + session_micro × 3 600 000)
--            / 3 600 000 000 000
-- The numerator is an exact integer, so rounding half up (away from zero for a negative amount)
-- to cents is integer division: (|n| × 100 + d / 2) // d with d even. The VAT is rounded the
-- same way from the rounded net amount: cents × vat_micro / 100 000 000.
with

int_transactions as (
    select
        charge_point_id,
        started_at,
        stopped_at,
        meter_start_wh,
        meter_stop_wh,
        start_file_id,
        start_line_no,
        transaction_status,
    from int_transactions
    where transaction_status = 'completed'
),

stg_finance__tariffs as (
    select
        tariff_id,
        valid_from,
        charge_point,
        currency,
        price_per_kwh,
        price_per_hour,
        price_per_session,
        vat_percent,
    from stg_finance__tariffs
),

completed as (
    select
        charge_point_id,
        start_file_id,
        start_line_no,
        cast(started_at at time zone getvariable('report_timezone') as date) as started_local_date,
        cast(meter_stop_wh - meter_start_wh as hugeint) as energy_wh,
        -- as fct_transactions.duration_s: whole seconds, truncated
        cast(trunc((epoch_us(stopped_at) - epoch_us(started_at)) / 1000000) as hugeint) as duration_s,
    from int_transactions
),

tariff_in_force as (
    select
        completed.start_file_id,
        completed.start_line_no,
        completed.energy_wh,
        completed.duration_s,
        tariffs.tariff_id,
        tariffs.currency,
        cast(cast(tariffs.price_per_kwh as decimal(38, 6)) * 1000000 as hugeint) as kwh_micro,
        cast(cast(tariffs.price_per_hour as decimal(38, 6)) * 1000000 as hugeint) as hour_micro,
        cast(cast(tariffs.price_per_session as decimal(38, 6)) * 1000000 as hugeint) as session_micro,
        cast(cast(tariffs.vat_percent as decimal(38, 6)) * 1000000 as hugeint) as vat_micro,
    from completed
    inner join stg_finance__tariffs as tariffs
        on (tariffs.charge_point = completed.charge_point_id or tariffs.charge_point = '*')
        and tariffs.valid_from <= completed.started_local_date
    qualify row_number() over (
        partition by completed.start_file_id, completed.start_line_no
        order by tariffs.charge_point = '*', tariffs.valid_from desc
    ) = 1
),

numerators as (
    select
        *,
        energy_wh * kwh_micro * 3600 + duration_s * hour_micro * 1000 + session_micro * 3600000
            as amount_excl_vat_numerator,
    from tariff_in_force
),

net_cents as (
    select
        *,
        (abs(amount_excl_vat_numerator) * 100 + 1800000000000) // 3600000000000
        * case when amount_excl_vat_numerator < 0 then -1 else 1 end as amount_excl_vat_cents,
    from numerators
),

vat_cents as (
    select
        *,
        (abs(amount_excl_vat_cents) * vat_micro + 50000000) // 100000000
        * case when amount_excl_vat_cents < 0 then -1 else 1 end as vat_amount_cents,
    from net_cents
)

select
    start_file_id,
    start_line_no,
    tariff_id,
    currency,
    -- cents × 0.01 stays DECIMAL (multiplication keeps the type; only division would go to DOUBLE)
    cast(cast(amount_excl_vat_cents as decimal(38, 0)) * 0.01 as decimal(18, 2)) as amount_excl_vat,
    cast(cast(vat_amount_cents as decimal(38, 0)) * 0.01 as decimal(18, 2)) as vat_amount,
    cast(cast(amount_excl_vat_cents + vat_amount_cents as decimal(38, 0)) * 0.01 as decimal(18, 2)) as amount_incl_vat,
from vat_cents
