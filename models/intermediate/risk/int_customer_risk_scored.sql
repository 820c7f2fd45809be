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

contributions as (

    select * from {{ ref('int_risk_contributions_computed') }}

),

reason_texts as (

    select * from {{ ref('int_risk_reason_texts_written') }}

),

scoring_dates as (

    select distinct scoring_date

    from coefficients

),

population as (

    select
        scoring_dates.scoring_date,
        features.customer_id,
        features.outcome_no_purchase

    from features
    inner join scoring_dates
        on features.snapshot_date = cast(scoring_dates.scoring_date as date)

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

linear_predictors as (

    select
        contributions.scoring_date,
        contributions.customer_id,
        contributions.model_name,
        -- Added in the model's feature order, not by sum(): a parallel sum adds in any order, and the
        -- last bits of a float sum would then break ties between equal customers differently per run.
        intercepts.intercept
        {%- for feature, _ in risk_feature_expressions('contributions') %}
            + coalesce(max(
                case when contributions.feature_position = {{ loop.index0 }} then contributions.contribution end
            ), 0)
        {%- endfor %} as log_odds,
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
