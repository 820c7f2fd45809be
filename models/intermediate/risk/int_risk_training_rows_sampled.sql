{#
    The rows the churn-risk model learns from: population rows of every snapshot whose outcome is
    known, at most `risk_training_max_rows` of them (default 250,000). Above that, a deterministic
    stratified sample: within each snapshot date and outcome the same share of rows is kept (the
    first by a hash of the customer and date), and each kept row weighs stratum rows / kept rows, so
    the weighted sample has the population's mix of dates and outcomes. Below it every row is kept
    with weight 1, and the fit is the fit on every row.
#}
with

features as (

    select * from {{ ref('int_risk_features_completed') }}
    where outcome_no_purchase is not null

),

sampling as (

    select least(1.0, {{ var('risk_training_max_rows') }} / greatest(count(*), 1)) as keep_share

    from features

),

ranked as (

    select
        features.*,
        count(*) over (partition by features.snapshot_date, features.outcome_no_purchase) as stratum_rows,
        row_number() over (
            partition by features.snapshot_date, features.outcome_no_purchase
            order by {{ dbt.hash(dbt.concat([
                "features.customer_id", "':'", "cast(features.snapshot_date as " ~ dbt.type_string() ~ ")",
            ])) }}, features.customer_id
        ) as stratum_rank,
        sampling.keep_share

    from features
    cross join sampling

),

kept as (

    select
        ranked.*,
        cast(ceil(ranked.stratum_rows * ranked.keep_share) as integer) as stratum_kept

    from ranked

),

final as (

    select
        snapshot_date,
        customer_id,
        bgnbd_prob_no_purchase,
        recency_ratio,
        days_since_last_purchase,
        recent_purchases_count,
        prior_purchases_count,
        recent_returns_count,
        recent_failed_payments_count,
        open_tickets_count,
        recent_tickets_count,
        overdue_open_tickets_count,
        is_nps_detractor,
        is_csat_low,
        is_loyalty_member,
        tenure_days,
        outcome_no_purchase,
        cast(stratum_rows as {{ type_double() }}) / stratum_kept as sample_weight

    from kept
    where stratum_rank <= stratum_kept

)

select * from final
