{#
    The purchase history of every customer with a purchase, at every risk snapshot date
    (int_risk_snapshots_enumerated), from purchases up to that date: first and last purchase day,
    the customer's own usual gap between purchase days, purchases in the last
    `recent_activity_days` days and in the same number of days before them, and the next purchase
    day after the snapshot (which decides the outcome once its window has passed).
    Each customer's purchase days carry their running totals once; a snapshot reads the state of the
    latest purchase day on or before each of its cutoffs (macro asof_left_join), so no snapshot
    re-aggregates a customer's whole history.
#}
with

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

purchase_state as (

    select
        customer_id,
        purchase_date,
        row_number() over customer_days as purchase_days_to_date,
        sum(purchases_count) over customer_days as purchases_to_date,
        lead(purchase_date) over (partition by customer_id order by purchase_date) as next_purchase_date

    from purchase_days
    window customer_days as (
        partition by customer_id order by purchase_date rows between unbounded preceding and current row
    )

),

first_purchases as (

    select
        customer_id,
        min(purchase_date) as first_purchase_date

    from purchase_days
    group by customer_id

),

probes as (

    select
        snapshots.snapshot_date,
        first_purchases.customer_id,
        first_purchases.first_purchase_date,
        cast({{ dbt.dateadd('day', -var('recent_activity_days'), 'snapshots.snapshot_date') }} as date)
            as recent_cutoff_date,
        cast({{ dbt.dateadd('day', -2 * var('recent_activity_days'), 'snapshots.snapshot_date') }} as date)
            as prior_cutoff_date

    from snapshots
    inner join first_purchases
        on snapshots.snapshot_date >= first_purchases.first_purchase_date

),

at_snapshot as (

    {{ asof_left_join(
        'probes', 'customer_id', 'snapshot_date', 'purchase_state', 'customer_id', 'purchase_date',
        ['purchase_date', 'purchase_days_to_date', 'purchases_to_date', 'next_purchase_date'], 'snapshot_',
    ) }}

),

at_recent_cutoff as (

    {{ asof_left_join(
        'at_snapshot', 'customer_id', 'recent_cutoff_date', 'purchase_state', 'customer_id', 'purchase_date',
        ['purchases_to_date'], 'recent_cutoff_',
    ) }}

),

at_prior_cutoff as (

    {{ asof_left_join(
        'at_recent_cutoff', 'customer_id', 'prior_cutoff_date', 'purchase_state', 'customer_id', 'purchase_date',
        ['purchases_to_date'], 'prior_cutoff_',
    ) }}

),

purchase_history as (

    select
        snapshot_date,
        customer_id,
        first_purchase_date,
        snapshot_purchase_date as last_purchase_date,
        snapshot_purchase_days_to_date as purchase_days_count,
        snapshot_purchases_to_date - coalesce(recent_cutoff_purchases_to_date, 0) as recent_purchases_count,
        coalesce(recent_cutoff_purchases_to_date, 0) - coalesce(prior_cutoff_purchases_to_date, 0)
            as prior_purchases_count,
        snapshot_next_purchase_date as next_purchase_date

    from at_prior_cutoff

),

final as (

    select
        purchase_history.snapshot_date,
        purchase_history.customer_id,
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
        cast(purchase_history.recent_purchases_count as integer) as recent_purchases_count,
        cast(purchase_history.prior_purchases_count as integer) as prior_purchases_count,
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
        purchase_history.next_purchase_date

    from purchase_history

)

select * from final
