{#
    What a retention specialist should call back about, as of as_of_date: NPS detractor answers,
    CSAT answers of 1-2 and tickets still open past their service level, from the last
    `recent_activity_days` days, for customers who have not purchased since the item.
#}
with

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

tickets as (

    select * from {{ ref('int_support_tickets_enriched') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

window_start as (

    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1 - var('recent_activity_days'), 'as_of_date') }} as date) as start_date,
        {{ dbt.dateadd('day', 1, 'as_of_date') }} as as_of_end_at

    from parameters

),

survey_items as (

    select
        concat('response:', responses.response_id) as queue_item_id,
        case when responses.survey_type = 'nps' then 'nps_detractor' else 'csat_low' end as item_type,
        responses.customer_id,
        responses.responded_at as item_at,
        responses.score,
        responses.ticket_id,
        tickets.ticket_category,
        responses.comment_text

    from responses
    cross join window_start
    left join tickets
        on responses.ticket_id = tickets.ticket_id
    where
        responses.responded_date >= window_start.start_date
        and (
            responses.nps_category = 'detractor'
            or responses.is_csat_low
        )

),

-- Open on as_of_date and past its service level (macro is_past_service_level).
ticket_items as (

    select
        concat('ticket:', tickets.ticket_id) as queue_item_id,
        'ticket_overdue' as item_type,
        tickets.customer_id,
        tickets.created_at as item_at,
        cast(null as integer) as score,
        tickets.ticket_id,
        tickets.ticket_category,
        cast(null as {{ dbt.type_string() }}) as comment_text

    from tickets
    cross join window_start
    where
        tickets.is_open
        and tickets.created_date >= window_start.start_date
        and {{ is_past_service_level(
            'tickets.created_at', 'tickets.first_responded_at is null', 'window_start.as_of_end_at'
        ) }}

),

items as (

    select * from survey_items
    union all
    select * from ticket_items

),

last_purchases as (

    select
        customer_id,
        max(ordered_at) as last_purchased_at

    from orders
    where is_purchase
    group by customer_id

),

final as (

    select
        items.*,
        last_purchases.last_purchased_at

    from items
    left join last_purchases
        on items.customer_id = last_purchases.customer_id
    where last_purchases.last_purchased_at is null or last_purchases.last_purchased_at < items.item_at

)

select * from final
