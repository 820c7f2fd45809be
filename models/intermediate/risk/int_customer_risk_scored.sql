{#
    The population of as_of_date and of every backtest date scored with that date's fitted models
    (int_risk_models_fitted): risk_score = logistic(intercept + sum of coefficient x z), where z is a
    feature standardised with the training mean and scale (a missing value sits at z = 0), and the
    naive baseline's score the same way. The top three positive contributions are the reasons (ties
    in the model's feature order); on as_of_date each gets its plain-words text from the editable seed
    risk_reason_templates. Everything row by row happens here, in SQL.
#}
with

features as (

    select * from {{ ref('int_risk_features_completed') }}

),

coefficients as (

    select * from {{ ref('int_risk_models_fitted') }}

),

templates as (

    select * from {{ ref('risk_reason_templates') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

scoring_dates as (

    select distinct scoring_date

    from coefficients

),

population as (

    select
        scoring_dates.scoring_date,
        features.*

    from features
    inner join scoring_dates
        on features.snapshot_date = cast(scoring_dates.scoring_date as date)

),

feature_values as (

    {% for feature, expression in risk_feature_expressions('population') %}
        select
            population.scoring_date,
            population.customer_id,
            '{{ feature }}' as feature,
            {{ loop.index0 }} as feature_position,
            {{ expression }} as feature_value

        from population
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

terms as (

    select * from coefficients
    where feature <> 'intercept'

),

intercepts as (

    select
        scoring_date,
        model_name,
        coefficient as intercept,
        is_converged

    from coefficients
    where feature = 'intercept'

),

contributions as (

    select
        feature_values.scoring_date,
        feature_values.customer_id,
        terms.model_name,
        feature_values.feature,
        feature_values.feature_position,
        terms.coefficient * coalesce((feature_values.feature_value - terms.mean) / terms.scale, 0)
            as contribution

    from feature_values
    inner join terms
        on
            feature_values.scoring_date = terms.scoring_date
            and feature_values.feature = terms.feature

),

linear_predictors as (

    select
        contributions.scoring_date,
        contributions.customer_id,
        contributions.model_name,
        intercepts.intercept + sum(contributions.contribution) as log_odds,
        intercepts.is_converged

    from contributions
    inner join intercepts
        on
            contributions.scoring_date = intercepts.scoring_date
            and contributions.model_name = intercepts.model_name
    group by
        contributions.scoring_date,
        contributions.customer_id,
        contributions.model_name,
        intercepts.intercept,
        intercepts.is_converged

),

scores as (

    select
        scoring_date,
        customer_id,
        max(
            case
                when model_name = 'risk' and is_converged then {{ logistic_of_minus('-log_odds') }}
            end
        ) as risk_score,
        max(
            case
                when model_name = 'baseline' and is_converged then {{ logistic_of_minus('-log_odds') }}
            end
        ) as baseline_score,
        max(case when model_name = 'risk' then is_converged end) as is_risk_model_usable

    from linear_predictors
    group by scoring_date, customer_id

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

reason_variants as (

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

),

placeholder_values as (

    select
        reason_variants.scoring_date,
        reason_variants.customer_id,
        reason_variants.reason_rank,
        reason_variants.reason_code,
        reason_variants.reason_contribution,
        cast(reason_variants.scoring_date as date) = parameters.as_of_date as is_as_of_date,
        templates.template as filled_text,
        {{ whole_text(round_half_even(
            'cast(reason_variants.bgnbd_prob_no_purchase as decimal(38, 18)) * 100'
        )) }} || '%' as probability_text,
        {{ whole_text('reason_variants.churn_window_days') }} as window_text,
        {{ whole_text(
            "case when reason_variants.reason_code = 'tenure_days' then reason_variants.tenure_days"
            ~ " else reason_variants.days_since_last_purchase end"
        ) }} as days_text,
        {{ whole_text(round_half_even('reason_variants.usual_gap_days')) }} as usual_gap_text,
        case
            when reason_variants.recent_purchases_count < reason_variants.prior_purchases_count then 'down'
            else 'up'
        end as direction_text,
        {{ whole_text('reason_variants.prior_purchases_count') }} as prior_text,
        {{ whole_text('reason_variants.recent_purchases_count') }} as last_text,
        {{ whole_text('reason_variants.recent_activity_days') }} as recent_days_text,
        {{ whole_text(round_half_even('reason_variants.reason_count')) }} as count_text,
        {{ whole_text(
            "case when reason_variants.reason_code = 'is_csat_low' then reason_variants.latest_csat_score"
            ~ " else reason_variants.latest_nps_score end"
        ) }} as score_text,
        cast(
            case
                when reason_variants.reason_code = 'is_csat_low' then reason_variants.latest_csat_date
                else reason_variants.latest_nps_date
            end as {{ dbt.type_string() }}
        ) as date_text

    from reason_variants
    cross join parameters
    left join templates
        on
            reason_variants.reason_code = templates.reason_code
            and reason_variants.variant = templates.variant

),

{%- set placeholders = [
    'probability', 'window', 'days', 'usual_gap', 'direction', 'prior',
    'last', 'recent_days', 'count', 'score', 'date',
] %}

-- One placeholder filled per step (a placeholder the template lacks changes nothing).
{% for placeholder in placeholders %}
    filled_{{ loop.index }} as (

        select
            scoring_date,
            customer_id,
            reason_rank,
            reason_code,
            reason_contribution,
            is_as_of_date,
            {%- for kept in placeholders %}
                {{ kept }}_text,
            {%- endfor %}
            replace(filled_text, '{{ '{' ~ placeholder ~ '}' }}', coalesce({{ placeholder }}_text, '')) as filled_text

        from {{ 'placeholder_values' if loop.first else 'filled_' ~ loop.index0 }}

    ),

{% endfor %}
reason_texts as (

    select
        scoring_date,
        customer_id,
        reason_rank,
        reason_code,
        reason_contribution,
        case when is_as_of_date then filled_text end as reason_text

    from filled_{{ placeholders | length }}

),

final as (

    select
        population.scoring_date,
        population.customer_id,
        population.outcome_no_purchase,
        scores.risk_score,
        scores.baseline_score,
        {% for rank in range(1, 4) %}
            max(case when reason_texts.reason_rank = {{ rank }} then reason_texts.reason_code end)
                as reason_{{ rank }}_code,
            max(case when reason_texts.reason_rank = {{ rank }} then reason_texts.reason_contribution end)
                as reason_{{ rank }}_contribution,
            max(case when reason_texts.reason_rank = {{ rank }} then reason_texts.reason_text end) as reason_{{ rank }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}

    from population
    inner join scores
        on
            population.scoring_date = scores.scoring_date
            and population.customer_id = scores.customer_id
    left join reason_texts
        on
            population.scoring_date = reason_texts.scoring_date
            and population.customer_id = reason_texts.customer_id
            and scores.is_risk_model_usable
    group by
        population.scoring_date,
        population.customer_id,
        population.outcome_no_purchase,
        scores.risk_score,
        scores.baseline_score

)

select * from final
