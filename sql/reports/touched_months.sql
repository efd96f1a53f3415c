-- Months whose reports can differ after this run: months in which a line of this run was
-- logged, and the months of transactions that a line of this run starts, stops or samples
-- (a late StopTransaction moves its transaction; a late MeterValues changes last_register_wh),
-- and months in which new tariffs or customers changed a transaction's customer, tariff or amounts
-- (repriced_months, kept until they are exported, so a killed run cannot lose them).
with

run_changed_files as (
    select
        file_id,
    from run_changed_files
),

base_ocpp__messages as (
    select
        file_id,
        logged_at,
    from base_ocpp__messages
),

fct_transactions as (
    select
        month,
        start_file_id,
        start_line_no,
        stop_file_id,
    from fct_transactions
),

repriced_months as (
    select
        month,
    from repriced_months
),

int_energy_register_samples as (
    select
        file_id,
        start_file_id,
        start_line_no,
    from int_energy_register_samples
),

logged_months as (
    select distinct
        strftime(logged_at at time zone getvariable('report_timezone'), '%Y-%m') as month,
    from base_ocpp__messages
    where file_id in (select file_id from run_changed_files)
),

transaction_months as (
    select distinct
        month,
    from fct_transactions
    where month is not null
        and (
            start_file_id >= getvariable('first_changed_file_id')
            and start_file_id in (select run_changed_files.file_id from run_changed_files)
            or stop_file_id >= getvariable('first_changed_file_id')
            and stop_file_id in (select run_changed_files.file_id from run_changed_files)
        )
),

sampled_transaction_months as (
    select distinct
        fct_transactions.month,
    from int_energy_register_samples
    inner join fct_transactions
        on int_energy_register_samples.start_file_id = fct_transactions.start_file_id
        and int_energy_register_samples.start_line_no = fct_transactions.start_line_no
    where fct_transactions.month is not null
        and int_energy_register_samples.file_id >= getvariable('first_changed_file_id')
        and int_energy_register_samples.file_id in (select run_changed_files.file_id from run_changed_files)
),

months as (
    select month from logged_months
    union
    select month from transaction_months
    union
    select month from sampled_transaction_months
    union
    select month from repriced_months
)

select
    month,
from months
order by month
