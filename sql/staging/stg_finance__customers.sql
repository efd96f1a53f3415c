-- materialized: view
-- The customers last given with --customers: which customer an idTag bills to (many idTags may
-- belong to one customer).
with

customers as (
    select
        id_tag,
        customer_id,
        customer_name,
    from customers
)

select
    id_tag,
    customer_id,
    customer_name,
from customers
