with

source as (

    select * from {{ source('raw', 'raw_support_tickets') }}

),

renamed as (

    select
        {{ clean_text('ticket_id') }} as ticket_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ parse_utc_timestamp('created_at') }} as created_at,
        {{ parse_utc_timestamp('first_response_at') }} as first_responded_at,
        {{ parse_utc_timestamp('resolved_at') }} as resolved_at,
        {{ clean_enum('category') }} as ticket_category,
        {{ clean_enum('priority') }} as ticket_priority,
        {{ clean_enum('channel') }} as contact_channel,
        {{ clean_enum('status') }} as ticket_status

    from source

),

-- A ticket delivered twice keeps its latest version: the one that has progressed furthest
-- (latest resolution, then latest first response); the remaining columns break ties.
ranked as (

    select
        *,
        row_number() over (
            partition by ticket_id
            order by
                resolved_at desc nulls last,
                first_responded_at desc nulls last,
                created_at desc,
                ticket_status desc,
                customer_id desc,
                ticket_category desc,
                ticket_priority desc,
                contact_channel desc
        ) as version_rank

    from renamed

),

deduplicated as (

    select
        ticket_id,
        customer_id,
        created_at,
        first_responded_at,
        resolved_at,
        ticket_category,
        ticket_priority,
        contact_channel,
        ticket_status

    from ranked
    where version_rank = 1

)

select * from deduplicated
