{#
    Survey responses given on or before as_of_date, classified: NPS answers into promoter
    (9-10), passive (7-8) and detractor (0-6); CSAT answers satisfied when the score is 4 or 5,
    low (a complaint to follow up) when it is 1 or 2.
#}
with

responses as (

    select * from {{ ref('stg_raw__survey_responses') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        responses.response_id,
        responses.customer_id,
        responses.ticket_id,
        responses.responded_at,
        cast(responses.responded_at as date) as responded_date,
        responses.survey_type,
        responses.score,
        case
            when responses.survey_type <> 'nps' then null
            when responses.score >= 9 then 'promoter'
            when responses.score >= 7 then 'passive'
            else 'detractor'
        end as nps_category,
        case
            when responses.survey_type = 'csat' then responses.score >= 4
        end as is_csat_satisfied,
        case
            when responses.survey_type = 'csat' then responses.score <= 2
        end as is_csat_low,
        responses.comment_text,
        responses.comment_text is not null as has_comment

    from responses
    cross join parameters
    where cast(responses.responded_at as date) <= parameters.as_of_date

)

select * from final
