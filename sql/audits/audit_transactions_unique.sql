-- A transaction appears once: (charge point, transaction id, start time) is its identity; a stop
-- whose start is not in the data is identified by its stop time instead.
with

fct_transactions as (
    select
        charge_point_id,
        transaction_id,
        started_at,
        stopped_at,
    from fct_transactions
)

select
    charge_point_id,
    transaction_id,
    coalesce(started_at, stopped_at) as identifying_at,
    count(*) as rows_with_this_key,
from fct_transactions
group by charge_point_id, transaction_id, coalesce(started_at, stopped_at), started_at is null
having count(*) > 1
