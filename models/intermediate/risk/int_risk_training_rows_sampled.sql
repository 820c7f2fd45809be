{#
    The rows the churn-risk model learns from: the training sample chosen by int_risk_rows_selected
    (population rows with a known outcome, at most `risk_training_max_rows`, stratified by date and
    outcome, weighted), with the features the model reads.
#}

with

features as (

    select * from {{ ref('int_risk_features_completed') }}

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
        sample_weight

    from features
    where is_training_row

)

select * from final
