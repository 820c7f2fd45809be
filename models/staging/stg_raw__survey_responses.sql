with

source as (

    select * from {{ source('raw', 'raw_survey_responses') }}

),

renamed as (

    select
        {{ clean_text('response_id') }} as response_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ parse_utc_timestamp('responded_at') }} as responded_at,
        {{ clean_enum('survey_type') }} as survey_type,
        {{ parse_integer('score') }} as score,
        {{ clean_text('ticket_id') }} as ticket_id,
        {{ clean_text('comment') }} as comment_text

    from source

),

-- A response delivered twice keeps its latest version; the remaining columns break ties.
ranked as (

    select
        *,
        row_number() over (
            partition by response_id
            order by
                responded_at desc,
                customer_id desc,
                survey_type desc,
                score desc,
                ticket_id desc,
                comment_text desc
        ) as version_rank

    from renamed

),

deduplicated as (

    select
        response_id,
        customer_id,
        responded_at,
        survey_type,
        score,
        ticket_id,
        comment_text

    from ranked
    where version_rank = 1

)

select * from deduplicated
