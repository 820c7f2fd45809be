{#
    One row per customer with a purchase: the inputs of the BG/NBD and Gamma-Gamma models, in
    days, from purchase days up to as_of_date.
      x   = repeat_purchase_days: distinct purchase days - 1
      t_x = purchase_span_days: days from the first to the last purchase day
      T   = customer_age_days: days from the first purchase day to as_of_date
      m_x = repeat_monetary_value: mean net revenue of the repeat purchase days (first day excluded)
#}
with

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

numbered as (

    select
        *,
        row_number() over (partition by customer_id order by purchase_date) as purchase_day_number

    from purchase_days

),

aggregated as (

    select
        customer_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        count(*) as purchase_days_count,
        sum(purchases_count) as purchase_count,
        sum(net_revenue) as net_revenue,
        sum(case when purchase_day_number > 1 then net_revenue end) as repeat_net_revenue

    from numbered
    group by customer_id

),

final as (

    select
        aggregated.customer_id,
        aggregated.first_purchase_date,
        aggregated.last_purchase_date,
        cast(aggregated.purchase_count as integer) as purchase_count,
        cast(aggregated.net_revenue as decimal(18, 2)) as net_revenue,
        cast(aggregated.purchase_days_count - 1 as integer) as repeat_purchase_days,
        cast({{ dbt.datediff(
            'aggregated.first_purchase_date',
            'aggregated.last_purchase_date',
            'day'
        ) }} as integer) as purchase_span_days,
        cast({{ dbt.datediff(
            'aggregated.first_purchase_date',
            'parameters.as_of_date',
            'day'
        ) }} as integer) as customer_age_days,
        {{ safe_divide('aggregated.repeat_net_revenue', 'aggregated.purchase_days_count - 1') }}
            as repeat_monetary_value

    from aggregated
    cross join parameters

)

select * from final
