{#
    The purchase history of every customer with a purchase, at every risk snapshot date
    (int_risk_snapshots_enumerated), from purchases up to that date: first and last purchase day,
    the customer's own usual gap between purchase days, the next purchase day after the snapshot,
    whether the customer is in the scored population that day and the outcome once its window has
    passed. Every customer is here on every date: the BG/NBD fit and the median gap of a date are
    taken over all of them. A snapshot reads the running totals of the latest purchase day on or
    before it (int_purchase_days_aggregated, macro asof_left_join): no snapshot re-aggregates a
    customer's whole history.
#}

with

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

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
        snapshots.has_known_outcome,
        first_purchases.customer_id,
        first_purchases.first_purchase_date

    from snapshots
    inner join first_purchases
        on snapshots.snapshot_date >= first_purchases.first_purchase_date

),

at_snapshot as (

    {{ asof_left_join(
        'probes', 'customer_id', 'snapshot_date', 'purchase_days', 'customer_id', 'purchase_date',
        ['purchase_date', 'purchase_days_to_date', 'purchases_to_date', 'next_purchase_date'],
        'snapshot_',
    ) }}

),

purchase_history as (

    select
        snapshot_date,
        has_known_outcome,
        customer_id,
        first_purchase_date,
        snapshot_purchase_date as last_purchase_date,
        snapshot_purchase_days_to_date as purchase_days_count,
        snapshot_purchases_to_date as purchases_to_date,
        snapshot_next_purchase_date as next_purchase_date,
        cast({{ dbt.datediff(
            'snapshot_purchase_date',
            'snapshot_date',
            'day'
        ) }} as integer) as days_since_last_purchase

    from at_snapshot

),

final as (

    select
        purchase_history.snapshot_date,
        purchase_history.customer_id,
        purchase_history.days_since_last_purchase < 2 * parameters.churn_window_days as is_in_population,
        case
            when purchase_history.days_since_last_purchase < parameters.churn_window_days then 'active'
            when purchase_history.days_since_last_purchase < 2 * parameters.churn_window_days
                then 'recently_churned'
            else 'lapsed'
        end as health_status,
        purchase_history.first_purchase_date,
        purchase_history.last_purchase_date,
        purchase_history.days_since_last_purchase,
        case
            when purchase_history.purchase_days_count > 1
                then cast({{ dbt.datediff(
                    'purchase_history.first_purchase_date',
                    'purchase_history.last_purchase_date',
                    'day'
                ) }} as {{ type_double() }}) / (purchase_history.purchase_days_count - 1)
        end as own_gap_days,
        purchase_history.purchases_to_date,
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
        purchase_history.next_purchase_date,
        case
            when purchase_history.has_known_outcome
                then
                    case
                        when
                            purchase_history.next_purchase_date is null
                            or purchase_history.next_purchase_date > cast({{ dbt.dateadd(
                                'day', 'parameters.churn_window_days', 'purchase_history.snapshot_date'
                            ) }} as date)
                            then 1
                        else 0
                    end
        end as outcome_no_purchase

    from purchase_history
    cross join parameters

)

select * from final
