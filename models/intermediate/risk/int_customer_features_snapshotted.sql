{#
    The churn-risk signals of the rows the risk model looks at (int_risk_rows_selected: every
    customer of the population on a scored date, the training sample on the other dates): their
    purchase history (int_customer_purchases_snapshotted) with purchases in the last
    `recent_activity_days` days and in the same number of days before them, and their service
    signals (int_customer_signals_snapshotted), as they stood that day, plus the outcome when it
    is known. The median gap standing in for one-day customers is taken over every customer of
    the date, not only the selected rows.
#}

with

risk_rows as (

    select * from {{ ref('int_risk_rows_selected') }}

),

purchases as (

    select * from {{ ref('int_customer_purchases_snapshotted') }}

),

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

signals as (

    select * from {{ ref('int_customer_signals_snapshotted') }}

),

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

-- Customers with a single purchase day have no gap of their own: the snapshot's median gap stands in.
median_gaps as (

    select
        snapshot_date,
        {{ percentile_cont('own_gap_days', 0.5) }} as median_gap_days

    from purchases
    where own_gap_days is not null
    group by snapshot_date

),

selected as (

    select
        risk_rows.snapshot_date,
        risk_rows.customer_id,
        risk_rows.is_scored,
        risk_rows.is_training_row,
        risk_rows.sample_weight,
        purchases.health_status,
        purchases.first_purchase_date,
        purchases.last_purchase_date,
        purchases.days_since_last_purchase,
        purchases.own_gap_days,
        purchases.repeat_purchase_days,
        purchases.purchase_span_days,
        purchases.tenure_days,
        purchases.purchases_to_date,
        purchases.outcome_no_purchase,
        cast({{ dbt.dateadd('day', -var('recent_activity_days'), 'risk_rows.snapshot_date') }} as date)
            as recent_cutoff_date,
        cast({{ dbt.dateadd('day', -2 * var('recent_activity_days'), 'risk_rows.snapshot_date') }} as date)
            as prior_cutoff_date

    from risk_rows
    inner join purchases
        on
            risk_rows.snapshot_date = purchases.snapshot_date
            and risk_rows.customer_id = purchases.customer_id

),

-- Purchases in a window: the running total on the snapshot date minus the one before the window.
at_recent_cutoff as (

    {{ asof_left_join(
        'selected', 'customer_id', 'recent_cutoff_date', 'purchase_days', 'customer_id', 'purchase_date',
        ['purchases_to_date'], 'recent_cutoff_',
    ) }}

),

at_prior_cutoff as (

    {{ asof_left_join(
        'at_recent_cutoff', 'customer_id', 'prior_cutoff_date', 'purchase_days', 'customer_id', 'purchase_date',
        ['purchases_to_date'], 'prior_cutoff_',
    ) }}

),

final as (

    select
        history.snapshot_date,
        history.customer_id,
        history.is_scored,
        history.is_training_row,
        history.sample_weight,
        history.health_status,
        history.first_purchase_date,
        history.last_purchase_date,
        history.days_since_last_purchase,
        coalesce(history.own_gap_days, median_gaps.median_gap_days) as usual_gap_days,
        history.days_since_last_purchase / (coalesce(history.own_gap_days, median_gaps.median_gap_days, 0) + 1)
            as recency_ratio,
        cast(history.purchases_to_date - coalesce(history.recent_cutoff_purchases_to_date, 0) as integer)
            as recent_purchases_count,
        cast(
            coalesce(history.recent_cutoff_purchases_to_date, 0) - coalesce(history.prior_cutoff_purchases_to_date, 0)
            as integer
        ) as prior_purchases_count,
        signals.recent_returns_count,
        signals.recent_failed_payments_count,
        signals.open_tickets_count,
        signals.recent_tickets_count,
        signals.overdue_open_tickets_count,
        case when signals.latest_nps_category = 'detractor' then 1 else 0 end as is_nps_detractor,
        signals.latest_nps_score,
        cast(signals.latest_nps_responded_at as date) as latest_nps_date,
        case when signals.is_latest_csat_low then 1 else 0 end as is_csat_low,
        signals.latest_csat_score,
        cast(signals.latest_csat_responded_at as date) as latest_csat_date,
        case
            when customers.loyalty_member_since_date <= history.snapshot_date then 1
            else 0
        end as is_loyalty_member,
        history.tenure_days,
        history.repeat_purchase_days,
        history.purchase_span_days,
        parameters.churn_window_days,
        {{ var('recent_activity_days') }} as recent_activity_days,
        history.outcome_no_purchase

    from at_prior_cutoff as history
    cross join parameters
    inner join signals
        on
            history.snapshot_date = signals.snapshot_date
            and history.customer_id = signals.customer_id
    left join median_gaps
        on history.snapshot_date = median_gaps.snapshot_date
    left join customers
        on history.customer_id = customers.customer_id

)

select * from final
