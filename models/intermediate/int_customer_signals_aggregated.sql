{#
    Service and order signals per customer as of as_of_date, the link between complaints and
    churn: tickets and problem orders in the last `recent_activity_days` days (default 90), open
    tickets, and the latest NPS and CSAT answers.
#}
with

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

tickets as (

    select * from {{ ref('int_support_tickets_enriched') }}

),

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

recent_start as (

    select
        cast({{ dbt.dateadd('day', 1 - var('recent_activity_days'), 'as_of_date') }} as date) as recent_start_date

    from parameters

),

order_signals as (

    select
        orders.customer_id,
        sum(
            case
                when orders.order_status = 'returned' and orders.ordered_date >= recent_start.recent_start_date
                    then 1
                else 0
            end
        ) as recent_returns_count,
        sum(
            case
                when orders.order_status = 'payment_failed' and orders.ordered_date >= recent_start.recent_start_date
                    then 1
                else 0
            end
        ) as recent_failed_payments_count

    from orders
    cross join recent_start
    group by orders.customer_id

),

ticket_signals as (

    select
        tickets.customer_id,
        count(*) as tickets_count,
        sum(case when tickets.is_open then 1 else 0 end) as open_tickets_count,
        sum(case when tickets.created_date >= recent_start.recent_start_date then 1 else 0 end) as recent_tickets_count

    from tickets
    cross join recent_start
    group by tickets.customer_id

),

responses_ranked as (

    select
        customer_id,
        survey_type,
        score,
        nps_category,
        responded_at,
        row_number() over (
            partition by customer_id, survey_type
            order by responded_at desc, response_id desc
        ) as recency_rank

    from responses

),

latest_answers as (

    select
        customer_id,
        max(case when survey_type = 'nps' then score end) as latest_nps_score,
        max(case when survey_type = 'nps' then nps_category end) as latest_nps_category,
        max(case when survey_type = 'nps' then responded_at end) as latest_nps_responded_at,
        max(case when survey_type = 'csat' then score end) as latest_csat_score,
        max(case when survey_type = 'csat' then responded_at end) as latest_csat_responded_at

    from responses_ranked
    where recency_rank = 1
    group by customer_id

),

customer_ids as (

    select customer_id from orders
    union
    select customer_id from tickets
    union
    select customer_id from responses

),

final as (

    select
        customer_ids.customer_id,
        cast(coalesce(ticket_signals.tickets_count, 0) as integer) as tickets_count,
        cast(coalesce(ticket_signals.open_tickets_count, 0) as integer) as open_tickets_count,
        cast(coalesce(ticket_signals.recent_tickets_count, 0) as integer) as recent_tickets_count,
        cast(coalesce(order_signals.recent_returns_count, 0) as integer) as recent_returns_count,
        cast(coalesce(order_signals.recent_failed_payments_count, 0) as integer) as recent_failed_payments_count,
        latest_answers.latest_nps_score,
        latest_answers.latest_nps_category,
        latest_answers.latest_nps_responded_at,
        latest_answers.latest_csat_score,
        latest_answers.latest_csat_responded_at

    from customer_ids
    left join ticket_signals
        on customer_ids.customer_id = ticket_signals.customer_id
    left join order_signals
        on customer_ids.customer_id = order_signals.customer_id
    left join latest_answers
        on customer_ids.customer_id = latest_answers.customer_id

)

select * from final
