-- A fingerprint of what one month's reports are made of: its transactions, charge point days and
-- status changes, and the charge points. A night compares it with the one stored when the month
-- was last written and leaves the month's files alone when it is the same: a line logged in the
-- month that changed none of its rows (a redelivery, a quarantined line) rewrites nothing.
with

fct_transactions as (
    select
        *,
    from fct_transactions
    where month = $month
),

fct_charge_point_days as (
    select
        *,
    from fct_charge_point_days
    where month = $month
),

fct_status_changes as (
    select
        *,
    from fct_status_changes
    where month = $month
),

dim_charge_points as (
    select
        *,
    from dim_charge_points
),

row_hashes as (
    select 'transactions' as source, hash(fct_transactions) as row_hash from fct_transactions
    union all
    select 'charge_point_days' as source, hash(fct_charge_point_days) as row_hash from fct_charge_point_days
    union all
    select 'status_changes' as source, hash(fct_status_changes) as row_hash from fct_status_changes
    union all
    select 'charge_points' as source, hash(dim_charge_points) as row_hash from dim_charge_points
),

-- order-free: a sum of the rows' hashes (mod 2^64) and a count per source
per_source as (
    select
        source,
        count(*) as row_count,
        sum(row_hash::hugeint) % 18446744073709551616 as hash_sum,
    from row_hashes
    group by source
)

select
    string_agg(source || ':' || row_count || ':' || hash_sum, ';' order by source) as fingerprint,
from per_source
