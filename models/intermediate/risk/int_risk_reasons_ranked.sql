{#
    The top three positive contributions to each customer's risk log-odds (ties in the model's
    feature order), with the customer's values the reason texts are written from and which
    wording (variant of the seed risk_reason_templates) fits them: a missing value, a singular
    count, a steady trend, an undated answer ...
#}
with

contributions as (

    select * from {{ ref('int_risk_contributions_computed') }}

),

features as (

    select * from {{ ref('int_risk_features_completed') }}

),

population as (

    select
        features.*,
        cast(features.snapshot_date as timestamp) as scoring_date

    from features

),

reasons_ranked as (

    select
        scoring_date,
        customer_id,
        feature as reason_code,
        contribution as reason_contribution,
        row_number() over (
            partition by scoring_date, customer_id
            order by contribution desc, feature_position asc
        ) as reason_rank

    from contributions
    where model_name = 'risk' and contribution > 0

),

reason_facts as (

    select
        reasons_ranked.*,
        population.churn_window_days,
        population.recent_activity_days,
        population.bgnbd_prob_no_purchase,
        population.days_since_last_purchase,
        population.usual_gap_days,
        population.recent_purchases_count,
        population.prior_purchases_count,
        population.tenure_days,
        population.latest_nps_score,
        population.latest_nps_date,
        population.latest_csat_score,
        population.latest_csat_date,
        population.is_nps_detractor,
        population.is_csat_low,
        population.is_loyalty_member,
        case reasons_ranked.reason_code
            when 'recent_returns_count' then population.recent_returns_count
            when 'recent_failed_payments_count' then population.recent_failed_payments_count
            when 'open_tickets_count' then population.open_tickets_count
            when 'recent_tickets_count' then population.recent_tickets_count
            when 'overdue_open_tickets_count' then population.overdue_open_tickets_count
        end as reason_count

    from reasons_ranked
    inner join population
        on
            reasons_ranked.scoring_date = population.scoring_date
            and reasons_ranked.customer_id = population.customer_id
    where reasons_ranked.reason_rank <= 3

),

final as (

    select
        *,
        case reason_code
            when 'bgnbd_prob_no_purchase'
                then case when bgnbd_prob_no_purchase is null then 'missing' else 'usual' end
            when 'recency_ratio'
                then
                    case
                        when days_since_last_purchase is null then 'missing'
                        when usual_gap_days is null then 'no_gap'
                        else 'usual'
                    end
            when 'days_since_last_purchase'
                then case when days_since_last_purchase is null then 'missing' else 'usual' end
            when 'tenure_days' then case when tenure_days is null then 'missing' else 'usual' end
            when 'frequency_trend'
                then
                    case
                        when recent_purchases_count is null or prior_purchases_count is null then 'missing'
                        when recent_purchases_count = prior_purchases_count then 'steady'
                        else 'usual'
                    end
            when 'is_nps_detractor'
                then
                    case
                        when is_nps_detractor = 1 and latest_nps_date is null then 'detractor_undated'
                        when is_nps_detractor = 1 then 'detractor'
                        when latest_nps_score is null then 'missing'
                        when latest_nps_date is null then 'answer_undated'
                        else 'answer'
                    end
            when 'is_csat_low'
                then
                    case
                        when latest_csat_score is null and is_csat_low = 1 then 'low_unscored'
                        when latest_csat_score is null then 'missing'
                        when latest_csat_date is null then 'undated'
                        else 'usual'
                    end
            when 'is_loyalty_member'
                then
                    case
                        when is_loyalty_member is null then 'missing'
                        when is_loyalty_member = 1 then 'member'
                        else 'usual'
                    end
            else
                case
                    when reason_count is null then 'missing'
                    when {{ round_half_even('reason_count') }} = 1 then 'one'
                    else 'usual'
                end
        end as variant

    from reason_facts

)

select * from final
