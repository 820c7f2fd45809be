with

voice_months as (

    select * from {{ ref('int_voice_months_aggregated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        voice_months.dimension,
        voice_months.dimension_value,
        voice_months.month,
        voice_months.month_end_date,
        voice_months.nps_responses,
        voice_months.promoters,
        voice_months.passives,
        voice_months.detractors,
        voice_months.nps,
        voice_months.csat_responses,
        voice_months.satisfied_responses,
        voice_months.csat,
        parameters.as_of_date

    from voice_months
    cross join parameters
    where voice_months.dimension <> 'all'

)

select * from final
