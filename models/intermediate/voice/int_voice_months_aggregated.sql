{#
    Monthly NPS and CSAT for all customers and per acquisition_channel and rfm_segment (see
    int_customer_segments_unpivoted), by the month of the response, zero-filled for every
    segment value and reporting month. Scores are null in a month without responses.
#}
with

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

customer_segment_values as (

    select * from {{ ref('int_customer_segments_unpivoted') }}
    where dimension in ('all', 'acquisition_channel', 'rfm_segment')

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

responses_by_month as (

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'responded_date') }} as date) as month,
        case when survey_type = 'nps' then 1 else 0 end as is_nps,
        case when nps_category = 'promoter' then 1 else 0 end as is_promoter,
        case when nps_category = 'passive' then 1 else 0 end as is_passive,
        case when nps_category = 'detractor' then 1 else 0 end as is_detractor,
        case when survey_type = 'csat' then 1 else 0 end as is_csat,
        case when is_csat_satisfied then 1 else 0 end as is_satisfied

    from responses

),

counted as (

    select
        customer_segment_values.dimension,
        customer_segment_values.dimension_value,
        responses_by_month.month,
        sum(responses_by_month.is_nps) as nps_responses,
        sum(responses_by_month.is_promoter) as promoters,
        sum(responses_by_month.is_passive) as passives,
        sum(responses_by_month.is_detractor) as detractors,
        sum(responses_by_month.is_csat) as csat_responses,
        sum(responses_by_month.is_satisfied) as satisfied_responses

    from responses_by_month
    inner join customer_segment_values
        on responses_by_month.customer_id = customer_segment_values.customer_id
    group by customer_segment_values.dimension, customer_segment_values.dimension_value, responses_by_month.month

),

segment_months as (

    {{ segment_month_spine('customer_segment_values', 'months') }}

),

final as (

    select
        segment_months.dimension,
        segment_months.dimension_value,
        segment_months.month,
        segment_months.month_end_date,
        cast(coalesce(counted.nps_responses, 0) as integer) as nps_responses,
        cast(coalesce(counted.promoters, 0) as integer) as promoters,
        cast(coalesce(counted.passives, 0) as integer) as passives,
        cast(coalesce(counted.detractors, 0) as integer) as detractors,
        100 * {{ safe_divide('counted.promoters - counted.detractors', 'counted.nps_responses') }} as nps,
        cast(coalesce(counted.csat_responses, 0) as integer) as csat_responses,
        cast(coalesce(counted.satisfied_responses, 0) as integer) as satisfied_responses,
        100 * {{ safe_divide('counted.satisfied_responses', 'counted.csat_responses') }} as csat

    from segment_months
    left join counted
        on segment_months.dimension = counted.dimension
            and segment_months.dimension_value = counted.dimension_value
            and segment_months.month = counted.month

)

select * from final
