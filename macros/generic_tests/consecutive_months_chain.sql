{#
    Months follow each other without a gap, and a month's customers_start equals the previous
    month's customers_end (both count the customers active on the previous month's last day).
#}
{% test consecutive_months_chain(model, month_column, partition_by=[]) %}

with

ordered as (

    select
        {{ month_column }} as month_date,
        customers_start,
        lag(customers_end) over (
            {% if partition_by %}partition by {{ partition_by | join(', ') }}{% endif %}
            order by {{ month_column }}
        ) as previous_customers_end,
        lag({{ month_column }}) over (
            {% if partition_by %}partition by {{ partition_by | join(', ') }}{% endif %}
            order by {{ month_column }}
        ) as previous_month_date

    from {{ model }}

)

select *
from ordered
where
    previous_month_date is not null
    and (
        customers_start <> previous_customers_end
        or previous_month_date <> cast({{ dbt.dateadd('month', -1, 'month_date') }} as date)
    )

{% endtest %}
