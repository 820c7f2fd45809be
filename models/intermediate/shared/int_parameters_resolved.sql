{#
    The run's parameters as one row, so every model reads the same as_of_date.
    as_of_date is the dbt var when set, otherwise the date of the latest order in the data.
#}
{%- set as_of_date_var = var('as_of_date') -%}

with

orders as (

    select ordered_at from {{ ref('stg_raw__orders') }}

),

latest_order as (

    select cast(max(ordered_at) as date) as latest_order_date

    from orders

),

final as (

    select
        coalesce(
            {% if as_of_date_var -%}
                cast('{{ as_of_date_var }}' as date)
            {%- else -%}
                cast(null as date)
            {%- endif %},
            latest_order_date
        ) as as_of_date,
        cast({{ var('churn_window_days') }} as integer) as churn_window_days

    from latest_order

)

select * from final
