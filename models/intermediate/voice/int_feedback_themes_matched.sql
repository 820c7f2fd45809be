{#
    Every survey comment matched against the editable keyword seed feedback_theme_keywords:
    one row per (response, theme) where at least one of the theme's keywords or phrases occurs
    in the comment. Matching ignores case and accents and respects word boundaries: comment and
    keyword are normalised the same way (macro normalize_for_matching), so 'Livraison en
    RETARD!' matches 'en retard' and 'chocolate' does not match 'late'.
#}
with

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

keywords as (

    select * from {{ ref('feedback_theme_keywords') }}

),

comments as (

    select
        response_id,
        {{ normalize_for_matching('comment_text') }} as normalized_comment

    from responses
    where has_comment

),

normalized_keywords as (

    select distinct
        theme,
        {{ normalize_for_matching('keyword') }} as normalized_keyword

    from keywords

),

matches as (

    select
        comments.response_id,
        normalized_keywords.theme,
        normalized_keywords.normalized_keyword

    from comments
    inner join normalized_keywords
        on comments.normalized_comment like concat('%', normalized_keywords.normalized_keyword, '%')

),

final as (

    select
        response_id,
        theme,
        cast(count(*) as integer) as matched_keywords_count

    from matches
    group by response_id, theme

)

select * from final
