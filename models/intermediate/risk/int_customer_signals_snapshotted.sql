{#
    The service and order signals of the customers of int_customer_snapshots_listed (every customer
    on as_of_date, the risk model's rows on past month ends), each from records up to that date as
    they stood then: problem orders of the last `recent_activity_days` days, tickets
    (int_customer_tickets_snapshotted) and the latest NPS and CSAT answers
    (int_customer_answers_snapshotted). The risk features read every date;
    int_customer_signals_aggregated is as_of_date's slice.
#}
with

listed as (

    select * from {{ ref('int_customer_snapshots_listed') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

tickets as (

    select * from {{ ref('int_customer_tickets_snapshotted') }}

),

answers as (

    select * from {{ ref('int_customer_answers_snapshotted') }}

),

customer_snapshots as (

    select
        snapshot_date,
        cast({{ dbt.dateadd('day', -var('recent_activity_days'), 'snapshot_date') }} as date) as recent_cutoff_date,
        customer_id

    from listed

),

-- Returns and failed payments per customer and day, with running totals: the window's count is
-- the total on the snapshot date minus the total on the day before the window.
problem_days as (

    select
        customer_id,
        ordered_date,
        sum(sum(case when order_status = 'returned' then 1 else 0 end)) over customer_days as returns_to_date,
        sum(sum(case when order_status = 'payment_failed' then 1 else 0 end)) over customer_days
            as failed_payments_to_date

    from orders
    where order_status in ('returned', 'payment_failed')
    group by customer_id, ordered_date
    window customer_days as (
        partition by customer_id order by ordered_date rows between unbounded preceding and current row
    )

),

at_snapshot as (

    {{ asof_left_join(
        'customer_snapshots', 'customer_id', 'snapshot_date', 'problem_days', 'customer_id', 'ordered_date',
        ['returns_to_date', 'failed_payments_to_date'], 'snapshot_',
    ) }}

),

at_recent_cutoff as (

    {{ asof_left_join(
        'at_snapshot', 'customer_id', 'recent_cutoff_date', 'problem_days', 'customer_id', 'ordered_date',
        ['returns_to_date', 'failed_payments_to_date'], 'cutoff_',
    ) }}

),

final as (

    select
        at_recent_cutoff.snapshot_date,
        at_recent_cutoff.customer_id,
        cast(coalesce(tickets.tickets_count, 0) as integer) as tickets_count,
        cast(coalesce(tickets.open_tickets_count, 0) as integer) as open_tickets_count,
        cast(coalesce(tickets.recent_tickets_count, 0) as integer) as recent_tickets_count,
        cast(coalesce(tickets.overdue_open_tickets_count, 0) as integer) as overdue_open_tickets_count,
        cast(
            coalesce(at_recent_cutoff.snapshot_returns_to_date, 0)
            - coalesce(at_recent_cutoff.cutoff_returns_to_date, 0) as integer
        ) as recent_returns_count,
        cast(
            coalesce(at_recent_cutoff.snapshot_failed_payments_to_date, 0)
            - coalesce(at_recent_cutoff.cutoff_failed_payments_to_date, 0) as integer
        ) as recent_failed_payments_count,
        answers.latest_nps_score,
        answers.latest_nps_category,
        answers.latest_nps_responded_at,
        answers.latest_csat_score,
        answers.latest_csat_responded_at,
        coalesce(answers.is_latest_csat_low, false) as is_latest_csat_low

    from at_recent_cutoff
    left join tickets
        on
            at_recent_cutoff.snapshot_date = tickets.snapshot_date
            and at_recent_cutoff.customer_id = tickets.customer_id
    left join answers
        on
            at_recent_cutoff.snapshot_date = answers.snapshot_date
            and at_recent_cutoff.customer_id = answers.customer_id

)

select * from final
