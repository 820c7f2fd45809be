{#
    The list a retention specialist calls back: NPS detractors, CSAT answers of 1-2 and tickets
    still open past their service level, from the last `recent_activity_days` days, for
    customers who have not purchased since. Each item carries the customer's value, how many
    days it has waited and the team that owns it (editable seed service_recovery_owners), ranked
    by value at stake, then by waiting time.
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

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

values_predicted as (

    select * from {{ ref('int_customer_values_predicted') }}

),

clv_inputs as (

    select * from {{ ref('int_clv_inputs_summarized') }}

),

owners as (

    select * from {{ ref('service_recovery_owners') }}

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

-- Open on as_of_date and past its service level: no first response within
-- sla_first_response_hours, or unresolved after sla_resolution_hours.
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
        and (
            (
                tickets.first_responded_at is null
                and {{ hours_between('tickets.created_at', 'window_start.as_of_end_at') }}
                > {{ var('sla_first_response_hours') }}
            )
            or {{ hours_between('tickets.created_at', 'window_start.as_of_end_at') }}
            > {{ var('sla_resolution_hours') }}
        )

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

open_items as (

    select
        items.*,
        last_purchases.last_purchased_at

    from items
    left join last_purchases
        on items.customer_id = last_purchases.customer_id
    where last_purchases.last_purchased_at is null or last_purchases.last_purchased_at < items.item_at

),

final as (

    select
        open_items.queue_item_id,
        open_items.item_type,
        open_items.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        open_items.item_at,
        cast(open_items.item_at as date) as item_date,
        cast({{ dbt.datediff(
            'cast(open_items.item_at as date)',
            'parameters.as_of_date',
            'day'
        ) }} as integer) as days_waiting,
        open_items.score,
        open_items.ticket_id,
        open_items.ticket_category,
        open_items.comment_text,
        coalesce(owners.owning_team, 'Customer care') as owning_team,
        cast(open_items.last_purchased_at as date) as last_purchase_date,
        clv_inputs.net_revenue as historical_clv,
        cast(values_predicted.predicted_clv as {{ type_double() }}) as predicted_clv,
        cast(row_number() over (
            order by
                coalesce(values_predicted.predicted_clv, 0) desc,
                open_items.item_at asc,
                open_items.queue_item_id asc
        ) as integer) as priority_rank,
        parameters.as_of_date

    from open_items
    cross join parameters
    left join customers
        on open_items.customer_id = customers.customer_id
    left join clv_inputs
        on open_items.customer_id = clv_inputs.customer_id
    left join values_predicted
        on open_items.customer_id = values_predicted.customer_id
    left join owners
        on
            open_items.item_type = owners.item_type
            and coalesce(open_items.ticket_category, '') = coalesce(owners.ticket_category, '')

)

select * from final
