-- materialized: view
with

base_ocpp__messages as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        message_type_id,
        unique_id,
        action,
    from base_ocpp__messages
),

heartbeats as (
    select
        file_id,
        line_no,
        charge_point_id,
        unique_id,
        logged_at,
    from base_ocpp__messages
    where message_type_id = 2 and action = 'Heartbeat'
)

select
    file_id,
    line_no,
    charge_point_id,
    unique_id,
    logged_at,
from heartbeats
