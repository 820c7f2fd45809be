with

tickets as (

    select * from {{ ref('int_support_tickets_enriched') }}

),

final as (

    select
        ticket_id,
        customer_id,
        created_at,
        created_date,
        first_responded_at,
        resolved_at,
        ticket_category,
        ticket_priority,
        contact_channel,
        first_response_hours,
        resolution_hours,
        is_open

    from tickets

)

select * from final
