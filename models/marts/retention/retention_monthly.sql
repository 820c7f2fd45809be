with

retention_months as (

    select * from {{ ref('int_retention_months_aggregated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        retention_months.month,
        retention_months.month_end_date,
        retention_months.customers_start,
        retention_months.customers_end,
        retention_months.retained_customers,
        retention_months.new_customers,
        retention_months.reactivated_customers,
        retention_months.churned_customers,
        retention_months.retention_rate,
        retention_months.churn_rate,
        retention_months.purchases_count,
        retention_months.net_revenue,
        retention_months.average_order_value,
        retention_months.arpu,
        retention_months.repeat_purchase_rate,
        parameters.as_of_date

    from retention_months
    cross join parameters
    where retention_months.dimension = 'all'

)

select * from final
