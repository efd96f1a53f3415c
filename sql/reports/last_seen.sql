-- Operator question 3: the last time each charge point connected (any message to or from it).
with

dim_charge_points as (
    select
        charge_point_id,
        last_seen_at,
        last_boot_at,
    from dim_charge_points
)

select
    charge_point_id,
    last_seen_at,
    last_boot_at,
from dim_charge_points
where $charge_point_id is null
    or charge_point_id = $charge_point_id
order by charge_point_id
