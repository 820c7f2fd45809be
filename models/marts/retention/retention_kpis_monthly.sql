{# One row per month with every headline retention number, NPS and CSAT, for a dashboard to read alone. #}
with

retention_months as (

    select * from {{ ref('int_retention_months_aggregated') }}

),

voice_months as (

    select * from {{ ref('int_voice_months_aggregated') }}
    where dimension = 'all'

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        retention_months.month,
        retention_months.month_end_date,
        retention_months.customers_end as active_customers,
        retention_months.new_customers,
        retention_months.reactivated_customers,
        retention_months.churned_customers,
        retention_months.retention_rate,
        retention_months.churn_rate,
        retention_months.net_revenue,
        retention_months.arpu,
        retention_months.average_order_value,
        retention_months.repeat_purchase_rate,
        voice_months.nps,
        voice_months.csat,
        parameters.as_of_date

    from retention_months
    cross join parameters
    left join voice_months
        on retention_months.month = voice_months.month
    where retention_months.dimension = 'all'

)

select * from final
