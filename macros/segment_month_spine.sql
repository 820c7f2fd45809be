{#
    The zero-fill spine of a monthly aggregation by segment: every (dimension, dimension_value)
    found in `segments` (a CTE with those two columns) crossed with every reporting month of
    `months` (a CTE over int_months_enumerated), so that a month without events is a row of zeros
    instead of a missing row.
#}
{% macro segment_month_spine(segments, months) -%}
    select
        segment_values.dimension,
        segment_values.dimension_value,
        {{ months }}.month,
        {{ months }}.month_end_date

    from (
        select distinct
            dimension,
            dimension_value
        from {{ segments }}
    ) as segment_values
    cross join {{ months }}
{%- endmacro %}
