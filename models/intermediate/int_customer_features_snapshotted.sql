{#
    The churn-risk signals of every customer with a purchase, at every risk snapshot date
    (int_risk_snapshots_enumerated), each computed point-in-time from records up to that date,
    plus the outcome when it is known: no purchase in the churn_window_days after the snapshot.
    The scored population is the customers active on the snapshot date or churned within the
    last churn_window_days (is_in_population); the other rows feed the BG/NBD fit.
#}
with

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

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

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

windows as (

    select
        snapshots.snapshot_date,
        snapshots.has_known_outcome,
        parameters.churn_window_days,
        cast({{ dbt.dateadd('day', 1 - var('recent_activity_days'), 'snapshots.snapshot_date') }} as date)
            as recent_start_date,
        cast({{ dbt.dateadd('day', 1 - 2 * var('recent_activity_days'), 'snapshots.snapshot_date') }} as date)
            as prior_start_date,
        {{ dbt.dateadd('day', 1, 'snapshots.snapshot_date') }} as snapshot_end_at

    from snapshots
    cross join parameters

),

next_purchase_days as (

    select
        customer_id,
        purchase_date,
        lead(purchase_date) over (partition by customer_id order by purchase_date) as next_purchase_date

    from purchase_days

),

purchase_history as (

    select
        windows.snapshot_date,
        purchase_days.customer_id,
        min(purchase_days.purchase_date) as first_purchase_date,
        max(purchase_days.purchase_date) as last_purchase_date,
        count(*) as purchase_days_count,
        sum(
            case
                when purchase_days.purchase_date >= windows.recent_start_date then purchase_days.purchases_count
                else 0
            end
        ) as purchases_last_90_days,
        sum(
            case
                when
                    purchase_days.purchase_date >= windows.prior_start_date
                    and purchase_days.purchase_date < windows.recent_start_date
                    then purchase_days.purchases_count
                else 0
            end
        ) as purchases_prior_90_days

    from windows
    inner join purchase_days
        on windows.snapshot_date >= purchase_days.purchase_date
    group by windows.snapshot_date, purchase_days.customer_id

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
        {{ hours_between('tickets.created_at', 'windows.snapshot_end_at') }} as hours_open,
        tickets.first_responded_at is null or tickets.first_responded_at >= windows.snapshot_end_at as is_unanswered

    from windows
    inner join tickets
        on
            windows.snapshot_date >= tickets.created_date
            and (
                windows.recent_start_date <= tickets.created_date
                or tickets.resolved_at is null
                or windows.snapshot_end_at <= tickets.resolved_at
            )

),

ticket_problems as (

    select
        snapshot_date,
        customer_id,
        sum(case when is_open then 1 else 0 end) as open_tickets_count,
        sum(case when is_recent then 1 else 0 end) as recent_tickets_count,
        sum(
            case
                when
                    is_open
                    and (
                        hours_open > {{ var('sla_resolution_hours') }}
                        or (is_unanswered and hours_open > {{ var('sla_first_response_hours') }})
                    )
                    then 1
                else 0
            end
        ) as overdue_open_tickets_count

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
        responses.responded_date,
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
        max(case when survey_type = 'nps' then responded_date end) as latest_nps_date,
        max(case when survey_type = 'nps' and nps_category = 'detractor' then 1 else 0 end) as is_nps_detractor,
        max(case when survey_type = 'csat' then score end) as latest_csat_score,
        max(case when survey_type = 'csat' then responded_date end) as latest_csat_date,
        max(case when is_csat_low then 1 else 0 end) as is_csat_low

    from answers_ranked
    where recency_rank = 1
    group by snapshot_date, customer_id

),

measured as (

    select
        purchase_history.snapshot_date,
        purchase_history.customer_id,
        windows.has_known_outcome,
        purchase_history.first_purchase_date,
        purchase_history.last_purchase_date,
        cast({{ dbt.datediff(
            'purchase_history.last_purchase_date',
            'purchase_history.snapshot_date',
            'day'
        ) }} as integer) as days_since_last_purchase,
        case
            when purchase_history.purchase_days_count > 1
                then cast({{ dbt.datediff(
                    'purchase_history.first_purchase_date',
                    'purchase_history.last_purchase_date',
                    'day'
                ) }} as {{ type_double() }}) / (purchase_history.purchase_days_count - 1)
        end as own_gap_days,
        cast(purchase_history.purchases_last_90_days as integer) as purchases_last_90_days,
        cast(purchase_history.purchases_prior_90_days as integer) as purchases_prior_90_days,
        cast(purchase_history.purchase_days_count - 1 as integer) as repeat_purchase_days,
        cast({{ dbt.datediff(
            'purchase_history.first_purchase_date',
            'purchase_history.last_purchase_date',
            'day'
        ) }} as integer) as purchase_span_days,
        cast({{ dbt.datediff(
            'purchase_history.first_purchase_date',
            'purchase_history.snapshot_date',
            'day'
        ) }} as integer) as tenure_days,
        next_purchase_days.next_purchase_date,
        windows.churn_window_days

    from purchase_history
    inner join windows
        on purchase_history.snapshot_date = windows.snapshot_date
    inner join next_purchase_days
        on
            purchase_history.customer_id = next_purchase_days.customer_id
            and purchase_history.last_purchase_date = next_purchase_days.purchase_date

),

-- Customers with a single purchase day have no gap of their own: the snapshot's median gap stands in.
median_gaps as (

    select
        snapshot_date,
        {{ percentile_cont('own_gap_days', 0.5) }} as median_gap_days

    from measured
    where own_gap_days is not null
    group by snapshot_date

),

final as (

    select
        measured.snapshot_date,
        measured.customer_id,
        measured.days_since_last_purchase < 2 * measured.churn_window_days as is_in_population,
        case
            when measured.days_since_last_purchase < measured.churn_window_days then 'active'
            when measured.days_since_last_purchase < 2 * measured.churn_window_days then 'recently_churned'
            else 'lapsed'
        end as health_status,
        measured.first_purchase_date,
        measured.last_purchase_date,
        measured.days_since_last_purchase,
        coalesce(measured.own_gap_days, median_gaps.median_gap_days) as usual_gap_days,
        measured.days_since_last_purchase / (coalesce(measured.own_gap_days, median_gaps.median_gap_days, 0) + 1)
            as recency_ratio,
        measured.purchases_last_90_days,
        measured.purchases_prior_90_days,
        cast(coalesce(order_problems.recent_returns_count, 0) as integer) as recent_returns_count,
        cast(coalesce(order_problems.recent_failed_payments_count, 0) as integer) as recent_failed_payments_count,
        cast(coalesce(ticket_problems.open_tickets_count, 0) as integer) as open_tickets_count,
        cast(coalesce(ticket_problems.recent_tickets_count, 0) as integer) as recent_tickets_count,
        cast(coalesce(ticket_problems.overdue_open_tickets_count, 0) as integer) as overdue_open_tickets_count,
        cast(coalesce(latest_answers.is_nps_detractor, 0) as integer) as is_nps_detractor,
        latest_answers.latest_nps_score,
        latest_answers.latest_nps_date,
        cast(coalesce(latest_answers.is_csat_low, 0) as integer) as is_csat_low,
        latest_answers.latest_csat_score,
        latest_answers.latest_csat_date,
        case
            when customers.loyalty_member_since_date <= measured.snapshot_date then 1
            else 0
        end as is_loyalty_member,
        measured.tenure_days,
        measured.repeat_purchase_days,
        measured.purchase_span_days,
        measured.churn_window_days,
        case
            when measured.has_known_outcome
                then
                    case
                        when
                            measured.next_purchase_date is null
                            or measured.next_purchase_date > cast({{ dbt.dateadd(
                                'day', 'measured.churn_window_days', 'measured.snapshot_date'
                            ) }} as date)
                            then 1
                        else 0
                    end
        end as outcome_no_purchase

    from measured
    left join median_gaps
        on measured.snapshot_date = median_gaps.snapshot_date
    left join order_problems
        on
            measured.snapshot_date = order_problems.snapshot_date
            and measured.customer_id = order_problems.customer_id
    left join ticket_problems
        on
            measured.snapshot_date = ticket_problems.snapshot_date
            and measured.customer_id = ticket_problems.customer_id
    left join latest_answers
        on
            measured.snapshot_date = latest_answers.snapshot_date
            and measured.customer_id = latest_answers.customer_id
    left join customers
        on measured.customer_id = customers.customer_id

)

select * from final
