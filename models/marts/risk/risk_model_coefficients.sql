{# The learned weights of the churn-risk model used on as_of_date (and of the naive baseline). #}
with

fitted as (

    select * from {{ ref('int_risk_models_fitted') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        cast(fitted.model_name as {{ dbt.type_string() }}) as model_name,
        cast(fitted.feature as {{ dbt.type_string() }}) as feature,
        cast(fitted.coefficient as {{ type_double() }}) as coefficient,
        cast(fitted.mean as {{ type_double() }}) as feature_mean,
        cast(fitted.scale as {{ type_double() }}) as feature_scale,
        cast(fitted.training_rows as integer) as training_rows,
        cast(fitted.positive_rate as {{ type_double() }}) as training_no_purchase_rate,
        cast(fitted.is_converged as boolean) as is_converged,
        cast(fitted.model_status as {{ dbt.type_string() }}) as model_status,
        parameters.as_of_date

    from fitted
    cross join parameters
    where cast(fitted.scoring_date as date) = parameters.as_of_date

)

select * from final
