{# Every survey comment up to as_of_date with its themes (zero or more). #}
with

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

matched as (

    select * from {{ ref('int_feedback_themes_matched') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

themes_per_comment as (

    select
        response_id,
        count(*) as themes_count,
        {{ dbt.listagg('theme', "', '", 'order by theme') }} as themes

    from matched
    group by response_id

),

final as (

    select
        responses.response_id,
        responses.customer_id,
        responses.responded_at,
        responses.responded_date,
        responses.survey_type,
        responses.score,
        responses.nps_category,
        responses.comment_text,
        themes_per_comment.themes,
        cast(coalesce(themes_per_comment.themes_count, 0) as integer) as themes_count,
        parameters.as_of_date

    from responses
    cross join parameters
    left join themes_per_comment
        on responses.response_id = themes_per_comment.response_id
    where responses.has_comment

)

select * from final
