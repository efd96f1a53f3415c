-- Every charge point with what its latest BootNotification said and when it was last heard from.
with

dim_charge_points as (
    select
        charge_point_id,
        vendor,
        model,
        serial_number,
        firmware_version,
        boot_status,
        heartbeat_interval_s,
        first_seen_at,
        last_seen_at,
        last_boot_at,
        messages,
    from dim_charge_points
)

select
    charge_point_id,
    vendor,
    model,
    serial_number,
    firmware_version,
    boot_status,
    cast(heartbeat_interval_s as bigint) as heartbeat_interval_s,
    first_seen_at,
    last_seen_at,
    last_boot_at,
    messages,
from dim_charge_points
order by charge_point_id
