-- Every StatusNotification, one row each, with the connector's previous status and the time the
-- next notification for that connector was logged, so time spent in a state reads off one row.
-- Ordered by log time: the charge point's own clock (status_at) is optional and may jump.
with

stg_ocpp__status_notifications as (
    select
        file_id,
        line_no,
        charge_point_id,
        logged_at,
        connector_id,
        status,
        error_code,
        info,
        status_at,
    from stg_ocpp__status_notifications
),

with_neighbours as (
    select
        charge_point_id,
        connector_id,
        status,
        lag(status) over connector_history as previous_status,
        error_code,
        info,
        status_at,
        logged_at,
        lead(logged_at) over connector_history as status_until,
        file_id,
        line_no,
    from stg_ocpp__status_notifications
    window connector_history as (
        partition by charge_point_id, connector_id
        order by logged_at, file_id, line_no
    )
)

select
    charge_point_id,
    connector_id,
    status,
    previous_status,
    error_code,
    info,
    status_at,
    logged_at,
    status_until,
    strftime(logged_at at time zone getvariable('report_timezone'), '%Y-%m') as month,
    file_id,
    line_no,
from with_neighbours
