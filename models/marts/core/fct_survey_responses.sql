with

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

final as (

    select
        response_id,
        customer_id,
        ticket_id,
        responded_at,
        responded_date,
        survey_type,
        score,
        nps_category,
        is_csat_satisfied,
        comment_text,
        has_comment

    from responses

)

select * from final
