{#
    Feedback themes per month: how many comments mention each theme, and what unhappy customers
    talk about: the share of the month's detractor comments that mention the theme.
    Zero-filled for every theme of the keyword seed and every reporting month.
#}
with

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

matched as (

    select * from {{ ref('int_feedback_themes_matched') }}

),

keywords as (

    select * from {{ ref('feedback_theme_keywords') }}

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

comments as (

    select
        response_id,
        cast({{ dbt.date_trunc('month', 'responded_date') }} as date) as month,
        nps_category = 'detractor' as is_detractor

    from responses
    where has_comment

),

month_totals as (

    select
        month,
        count(*) as comments_count,
        sum(case when is_detractor then 1 else 0 end) as detractor_comments_count

    from comments
    group by month

),

theme_counts as (

    select
        matched.theme,
        comments.month,
        count(*) as comments_count,
        sum(case when comments.is_detractor then 1 else 0 end) as detractor_comments_count

    from matched
    inner join comments
        on matched.response_id = comments.response_id
    group by matched.theme, comments.month

),

theme_months as (

    select
        themes.theme,
        months.month

    from (select distinct theme from keywords) as themes
    cross join months

),

final as (

    select
        theme_months.theme,
        theme_months.month,
        cast(coalesce(theme_counts.comments_count, 0) as integer) as comments_count,
        cast(coalesce(theme_counts.detractor_comments_count, 0) as integer) as detractor_comments_count,
        cast(coalesce(month_totals.comments_count, 0) as integer) as month_comments_count,
        cast(coalesce(month_totals.detractor_comments_count, 0) as integer) as month_detractor_comments_count,
        {{ safe_divide('coalesce(theme_counts.comments_count, 0)', 'month_totals.comments_count') }}
            as share_of_comments,
        {{ safe_divide('coalesce(theme_counts.detractor_comments_count, 0)', 'month_totals.detractor_comments_count') }}
            as share_of_detractor_comments,
        parameters.as_of_date

    from theme_months
    cross join parameters
    left join theme_counts
        on
            theme_months.theme = theme_counts.theme
            and theme_months.month = theme_counts.month
    left join month_totals
        on theme_months.month = month_totals.month

)

select * from final
