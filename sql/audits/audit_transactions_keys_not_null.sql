-- Every transaction names its charge point and id, and a completed one its month.
with

fct_transactions as (
    select
        charge_point_id,
        transaction_id,
        transaction_status,
        month,
    from fct_transactions
)

select
    charge_point_id,
    transaction_id,
    transaction_status,
    month,
from fct_transactions
where charge_point_id is null
    or transaction_id is null
    or (transaction_status = 'completed' and month is null)
