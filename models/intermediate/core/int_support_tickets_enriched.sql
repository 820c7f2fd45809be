{#
    Tickets created on or before as_of_date, as they stood that day: a response or
    resolution after as_of_date had not happened yet, so it is null here and the ticket is
    still open. Durations are in hours.
#}
with

tickets as (

    select * from {{ ref('stg_raw__support_tickets') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

point_in_time as (

    select
        tickets.ticket_id,
        tickets.customer_id,
        tickets.created_at,
        case
            when cast(tickets.first_responded_at as date) <= parameters.as_of_date
                then tickets.first_responded_at
        end as first_responded_at,
        case
            when cast(tickets.resolved_at as date) <= parameters.as_of_date
                then tickets.resolved_at
        end as resolved_at,
        tickets.ticket_category,
        tickets.ticket_priority,
        tickets.contact_channel

    from tickets
    cross join parameters
    where cast(tickets.created_at as date) <= parameters.as_of_date

),

final as (

    select
        ticket_id,
        customer_id,
        created_at,
        cast(created_at as date) as created_date,
        first_responded_at,
        resolved_at,
        ticket_category,
        ticket_priority,
        contact_channel,
        {{ hours_between('created_at', 'first_responded_at') }} as first_response_hours,
        {{ hours_between('created_at', 'resolved_at') }} as resolution_hours,
        resolved_at is null as is_open

    from point_in_time

)

select * from final
