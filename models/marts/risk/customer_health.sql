{#
    Customer health on as_of_date for every customer active then (a purchase in the last
    churn_window_days) or churned within the window before: the learned risk score, its tier, the
    three strongest reasons, and the value at stake.
#}
with

scored as (

    select * from {{ ref('int_customer_risk_scored') }}

),

features as (

    select * from {{ ref('int_risk_features_completed') }}

),

values_predicted as (

    select * from {{ ref('int_customer_values_predicted') }}

),

rfm as (

    select * from {{ ref('int_customer_rfm_scored') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        scored.customer_id,
        features.health_status,
        cast(scored.risk_score as {{ type_double() }}) as risk_score,
        case
            when scored.risk_score is null then 'unscored'
            when scored.risk_score >= {{ var('risk_tier_high') }} then 'high'
            when scored.risk_score >= {{ var('risk_tier_medium') }} then 'medium'
            else 'low'
        end as risk_tier,
        cast(scored.reason_1 as {{ dbt.type_string() }}) as reason_1,
        cast(scored.reason_1_code as {{ dbt.type_string() }}) as reason_1_code,
        cast(scored.reason_1_contribution as {{ type_double() }}) as reason_1_contribution,
        cast(scored.reason_2 as {{ dbt.type_string() }}) as reason_2,
        cast(scored.reason_2_code as {{ dbt.type_string() }}) as reason_2_code,
        cast(scored.reason_2_contribution as {{ type_double() }}) as reason_2_contribution,
        cast(scored.reason_3 as {{ dbt.type_string() }}) as reason_3,
        cast(scored.reason_3_code as {{ dbt.type_string() }}) as reason_3_code,
        cast(scored.reason_3_contribution as {{ type_double() }}) as reason_3_contribution,
        cast(features.last_purchase_date as date) as last_purchase_date,
        cast(features.days_since_last_purchase as integer) as days_since_last_purchase,
        cast(features.usual_gap_days as {{ type_double() }}) as usual_gap_days,
        cast(features.recent_purchases_count as integer) as recent_purchases_count,
        cast(features.prior_purchases_count as integer) as prior_purchases_count,
        cast(features.open_tickets_count as integer) as open_tickets_count,
        cast(features.overdue_open_tickets_count as integer) as overdue_open_tickets_count,
        cast(features.recent_failed_payments_count as integer) as recent_failed_payments_count,
        cast(features.is_nps_detractor as integer) = 1 as is_nps_detractor,
        cast(features.is_csat_low as integer) = 1 as is_csat_low,
        cast(features.bgnbd_prob_no_purchase as {{ type_double() }}) as bgnbd_prob_no_purchase,
        rfm.rfm_segment,
        cast(values_predicted.predicted_clv as {{ type_double() }}) as predicted_clv,
        cast(values_predicted.predicted_clv * scored.risk_score as {{ type_double() }}) as value_at_risk,
        parameters.as_of_date

    from scored
    cross join parameters
    inner join features
        on
            scored.customer_id = features.customer_id
            and cast(scored.scoring_date as date) = cast(features.snapshot_date as date)
    left join values_predicted
        on scored.customer_id = values_predicted.customer_id
    left join rfm
        on
            scored.customer_id = rfm.customer_id
            and parameters.as_of_date = rfm.snapshot_date
    where cast(scored.scoring_date as date) = parameters.as_of_date

)

select * from final
