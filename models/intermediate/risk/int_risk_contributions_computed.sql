{#
    Each scored customer's features on every scoring date (as_of_date and the backtest dates of
    int_risk_models_fitted), transformed as the model reads them (macro risk_feature_expressions),
    and each feature's contribution to the log-odds of each fitted model: coefficient x z, z the
    feature standardised with the training mean and scale (a missing value sits at z = 0).
#}
with

features as (

    select * from {{ ref('int_risk_features_completed') }}

),

coefficients as (

    select * from {{ ref('int_risk_models_fitted') }}

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

final as (

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

)

select * from final
