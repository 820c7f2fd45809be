{#
    The service and order signals of every customer at every risk snapshot date (as_of_date
    and past month ends, int_risk_snapshots_enumerated), each from records up to that date as
    they stood then: problem orders and tickets of the last `recent_activity_days` days, tickets
    still open and those of them past their service level, and the latest NPS and CSAT answers.
    A customer appears from the first date with an order, ticket or survey answer, purchase or
    not. The risk features read every date; int_customer_signals_aggregated is as_of_date's slice.
#}
with

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

tickets as (

    select * from {{ ref('int_support_tickets_enriched') }}

),

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

windows as (

    select
        snapshot_date,
        cast({{ dbt.dateadd('day', 1 - var('recent_activity_days'), 'snapshot_date') }} as date) as recent_start_date,
        {{ dbt.dateadd('day', 1, 'snapshot_date') }} as snapshot_end_at

    from snapshots

),

first_records as (

    select
        customer_id,
        min(record_date) as first_record_date

    from (
        select
            customer_id,
            ordered_date as record_date
        from orders
        union all
        select
            customer_id,
            created_date as record_date
        from tickets
        union all
        select
            customer_id,
            responded_date as record_date
        from responses
    ) as records
    group by customer_id

),

customer_snapshots as (

    select
        windows.snapshot_date,
        first_records.customer_id

    from windows
    inner join first_records
        on windows.snapshot_date >= first_records.first_record_date

),

order_problems as (

    select
        windows.snapshot_date,
        orders.customer_id,
        sum(case when orders.order_status = 'returned' then 1 else 0 end) as recent_returns_count,
        sum(case when orders.order_status = 'payment_failed' then 1 else 0 end) as recent_failed_payments_count

    from windows
    inner join orders
        on
            windows.snapshot_date >= orders.ordered_date
            and windows.recent_start_date <= orders.ordered_date
    group by windows.snapshot_date, orders.customer_id

),

-- Tickets as they stood on the snapshot date: a response or resolution after it had not happened.
tickets_then as (

    select
        windows.snapshot_date,
        tickets.customer_id,
        tickets.created_date >= windows.recent_start_date as is_recent,
        tickets.resolved_at is null or tickets.resolved_at >= windows.snapshot_end_at as is_open,
        {{ is_past_service_level(
            'tickets.created_at',
            '(tickets.first_responded_at is null or tickets.first_responded_at >= windows.snapshot_end_at)',
            'windows.snapshot_end_at',
        ) }} as is_past_service_level

    from windows
    inner join tickets
        on windows.snapshot_date >= tickets.created_date

),

ticket_problems as (

    select
        snapshot_date,
        customer_id,
        count(*) as tickets_count,
        sum(case when is_open then 1 else 0 end) as open_tickets_count,
        sum(case when is_recent then 1 else 0 end) as recent_tickets_count,
        sum(case when is_open and is_past_service_level then 1 else 0 end) as overdue_open_tickets_count

    from tickets_then
    group by snapshot_date, customer_id

),

answers_ranked as (

    select
        windows.snapshot_date,
        responses.customer_id,
        responses.survey_type,
        responses.score,
        responses.nps_category,
        responses.is_csat_low,
        responses.responded_at,
        row_number() over (
            partition by windows.snapshot_date, responses.customer_id, responses.survey_type
            order by responses.responded_at desc, responses.response_id desc
        ) as recency_rank

    from windows
    inner join responses
        on windows.snapshot_date >= responses.responded_date

),

latest_answers as (

    select
        snapshot_date,
        customer_id,
        max(case when survey_type = 'nps' then score end) as latest_nps_score,
        max(case when survey_type = 'nps' then nps_category end) as latest_nps_category,
        max(case when survey_type = 'nps' then responded_at end) as latest_nps_responded_at,
        max(case when survey_type = 'csat' then score end) as latest_csat_score,
        max(case when survey_type = 'csat' then responded_at end) as latest_csat_responded_at,
        max(case when survey_type = 'csat' and is_csat_low then 1 else 0 end) = 1 as is_latest_csat_low

    from answers_ranked
    where recency_rank = 1
    group by snapshot_date, customer_id

),

final as (

    select
        customer_snapshots.snapshot_date,
        customer_snapshots.customer_id,
        cast(coalesce(ticket_problems.tickets_count, 0) as integer) as tickets_count,
        cast(coalesce(ticket_problems.open_tickets_count, 0) as integer) as open_tickets_count,
        cast(coalesce(ticket_problems.recent_tickets_count, 0) as integer) as recent_tickets_count,
        cast(coalesce(ticket_problems.overdue_open_tickets_count, 0) as integer) as overdue_open_tickets_count,
        cast(coalesce(order_problems.recent_returns_count, 0) as integer) as recent_returns_count,
        cast(coalesce(order_problems.recent_failed_payments_count, 0) as integer) as recent_failed_payments_count,
        latest_answers.latest_nps_score,
        latest_answers.latest_nps_category,
        latest_answers.latest_nps_responded_at,
        latest_answers.latest_csat_score,
        latest_answers.latest_csat_responded_at,
        coalesce(latest_answers.is_latest_csat_low, false) as is_latest_csat_low

    from customer_snapshots
    left join ticket_problems
        on
            customer_snapshots.snapshot_date = ticket_problems.snapshot_date
            and customer_snapshots.customer_id = ticket_problems.customer_id
    left join order_problems
        on
            customer_snapshots.snapshot_date = order_problems.snapshot_date
            and customer_snapshots.customer_id = order_problems.customer_id
    left join latest_answers
        on
            customer_snapshots.snapshot_date = latest_answers.snapshot_date
            and customer_snapshots.customer_id = latest_answers.customer_id

)

select * from final
