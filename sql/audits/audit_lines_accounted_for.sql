-- Every line read is loaded, quarantined or blank: nothing lost, nothing invented.
with

fct_landing_file_lines as (
    select
        path,
        lines_read,
        lines_loaded,
        lines_quarantined,
        lines_blank,
    from fct_landing_file_lines
)

select
    path,
    lines_read,
    lines_loaded,
    lines_quarantined,
    lines_blank,
from fct_landing_file_lines
where lines_read <> lines_loaded + lines_quarantined + lines_blank
