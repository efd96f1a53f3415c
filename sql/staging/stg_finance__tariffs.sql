-- materialized: view
-- The tariffs last given with --tariffs (validated on the way in): one price list per charge
-- point ('*' = every charge point) from valid_from, a date in the report time zone.
with

tariffs as (
    select
        tariff_id,
        valid_from,
        charge_point,
        currency,
        price_per_kwh,
        price_per_hour,
        price_per_session,
        vat_percent,
        line_no,
    from tariffs
)

select
    tariff_id,
    valid_from,
    charge_point,
    currency,
    price_per_kwh,
    price_per_hour,
    price_per_session,
    vat_percent,
    line_no as tariff_line_no,
from tariffs
