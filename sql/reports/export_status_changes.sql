-- The StatusNotifications logged in one month (report time zone), sorted by charge point then
-- log time; the line a row came from breaks ties so the order never depends on the engine.
with

fct_status_changes as (
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
        month,
        file_id,
        line_no,
    from fct_status_changes
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
    month,
from fct_status_changes
where month = $month
order by charge_point_id, logged_at, connector_id, file_id, line_no
