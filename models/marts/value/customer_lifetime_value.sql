with

inputs as (

    select * from {{ ref('int_clv_inputs_summarized') }}

),

predictions as (

    select * from {{ ref('int_customer_values_predicted') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        inputs.customer_id,
        inputs.first_purchase_date,
        inputs.last_purchase_date,
        inputs.customer_age_days as tenure_days,
        inputs.purchase_count,
        inputs.net_revenue as historical_clv,
        {{ safe_divide('inputs.net_revenue', 'inputs.purchase_count') }} as average_order_value,
        inputs.repeat_purchase_days,
        inputs.purchase_span_days,
        cast(predictions.p_alive as {{ type_double() }}) as p_alive,
        cast(predictions.expected_purchases as {{ type_double() }}) as expected_purchases,
        cast(predictions.expected_average_order_value as {{ type_double() }}) as expected_average_order_value,
        cast(predictions.predicted_clv as {{ type_double() }}) as predicted_clv,
        cast(predictions.probability_no_purchase_in_window as {{ type_double() }})
            as probability_no_purchase_in_churn_window,
        cast(predictions.prediction_status as {{ dbt.type_string() }}) as prediction_status,
        cast({{ var('clv_horizon_days') }} as integer) as clv_horizon_days,
        parameters.as_of_date

    from inputs
    cross join parameters
    left join predictions
        on inputs.customer_id = predictions.customer_id

)

select * from final
