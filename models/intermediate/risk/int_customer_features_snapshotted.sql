{#
    The churn-risk signals of every customer with a purchase, at every risk snapshot date
    (int_risk_snapshots_enumerated): their purchase history (int_customer_purchases_snapshotted)
    and service signals (int_customer_signals_snapshotted) as they stood that day, plus the
    outcome when it is known: no purchase in the churn_window_days after the snapshot. The scored
    population is the customers active on the snapshot date or churned within the last
    churn_window_days (is_in_population); the other rows feed the BG/NBD fit.
#}
with

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

purchases as (

    select * from {{ ref('int_customer_purchases_snapshotted') }}

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

final as (

    select
        purchases.snapshot_date,
        purchases.customer_id,
        purchases.days_since_last_purchase < 2 * parameters.churn_window_days as is_in_population,
        case
            when purchases.days_since_last_purchase < parameters.churn_window_days then 'active'
            when purchases.days_since_last_purchase < 2 * parameters.churn_window_days then 'recently_churned'
            else 'lapsed'
        end as health_status,
        purchases.first_purchase_date,
        purchases.last_purchase_date,
        purchases.days_since_last_purchase,
        coalesce(purchases.own_gap_days, median_gaps.median_gap_days) as usual_gap_days,
        purchases.days_since_last_purchase / (coalesce(purchases.own_gap_days, median_gaps.median_gap_days, 0) + 1)
            as recency_ratio,
        purchases.recent_purchases_count,
        purchases.prior_purchases_count,
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
            when customers.loyalty_member_since_date <= purchases.snapshot_date then 1
            else 0
        end as is_loyalty_member,
        purchases.tenure_days,
        purchases.repeat_purchase_days,
        purchases.purchase_span_days,
        parameters.churn_window_days,
        {{ var('recent_activity_days') }} as recent_activity_days,
        case
            when snapshots.has_known_outcome
                then
                    case
                        when
                            purchases.next_purchase_date is null
                            or purchases.next_purchase_date > cast({{ dbt.dateadd(
                                'day', 'parameters.churn_window_days', 'purchases.snapshot_date'
                            ) }} as date)
                            then 1
                        else 0
                    end
        end as outcome_no_purchase

    from purchases
    cross join parameters
    inner join snapshots
        on purchases.snapshot_date = snapshots.snapshot_date
    inner join signals
        on
            purchases.snapshot_date = signals.snapshot_date
            and purchases.customer_id = signals.customer_id
    left join median_gaps
        on purchases.snapshot_date = median_gaps.snapshot_date
    left join customers
        on purchases.customer_id = customers.customer_id

)

select * from final
