with

support_months as (

    select * from {{ ref('int_support_months_aggregated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        support_months.dimension,
        support_months.dimension_value,
        support_months.month,
        support_months.month_end_date,
        support_months.tickets_created,
        support_months.tickets_resolved,
        support_months.open_tickets_at_month_end,
        support_months.tickets_first_responded,
        support_months.median_first_response_hours,
        support_months.p90_first_response_hours,
        support_months.first_response_sla_rate,
        support_months.median_resolution_hours,
        support_months.p90_resolution_hours,
        support_months.resolution_sla_rate,
        parameters.as_of_date

    from support_months
    cross join parameters

)

select * from final
