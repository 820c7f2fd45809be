{#
    The rows the risk model looks at (int_risk_rows_selected) with their churn-risk signals,
    completed by the BG/NBD probability of no purchase in the churn window, from that date's fit (int_bgnbd_snapshots_fitted); null where the fit is not usable (the risk model then
    imputes it).
#}
with

features as (

    select * from {{ ref('int_customer_features_snapshotted') }}

),

fits as (

    select * from {{ ref('int_bgnbd_snapshots_fitted') }}

),

final as (

    select
        features.snapshot_date,
        features.customer_id,
        features.is_scored,
        features.is_training_row,
        features.sample_weight,
        features.health_status,
        features.first_purchase_date,
        features.last_purchase_date,
        features.days_since_last_purchase,
        features.usual_gap_days,
        features.recency_ratio,
        features.recent_purchases_count,
        features.prior_purchases_count,
        features.recent_returns_count,
        features.recent_failed_payments_count,
        features.open_tickets_count,
        features.recent_tickets_count,
        features.overdue_open_tickets_count,
        features.is_nps_detractor,
        features.latest_nps_score,
        features.latest_nps_date,
        features.is_csat_low,
        features.latest_csat_score,
        features.latest_csat_date,
        features.is_loyalty_member,
        features.tenure_days,
        features.repeat_purchase_days,
        features.purchase_span_days,
        features.churn_window_days,
        features.recent_activity_days,
        features.outcome_no_purchase,
        case
            when fits.is_converged
                then {{ bg_nbd_probability_no_purchase(
                    'fits.r', 'fits.alpha', 'fits.a', 'fits.b',
                    'features.repeat_purchase_days',
                    'case when features.repeat_purchase_days > 0 then features.purchase_span_days else 0 end',
                    'features.tenure_days',
                    'features.churn_window_days',
                ) }}
        end as bgnbd_prob_no_purchase

    from features
    left join fits
        on features.snapshot_date = fits.snapshot_date

)

select * from final
