{#
    Every customer with a purchase scored with the fitted BG/NBD and Gamma-Gamma models
    (int_clv_models_fitted): P(alive), expected purchases over clv_horizon_days (per history, from
    int_clv_histories_predicted), the probability of no purchase in churn_window_days, the expected
    value of a purchase day and predicted CLV (discounted expected purchases x expected value). The
    closed forms are SQL macros (macros/bg_nbd.sql); the rows never leave the engine. A prediction
    that cannot be trusted is null with the reason in prediction_status.
#}
with

inputs as (

    select * from {{ ref('int_clv_inputs_summarized') }}

),

fitted as (

    select * from {{ ref('int_clv_models_fitted') }}

),

histories as (

    select * from {{ ref('int_clv_histories_predicted') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

bg_nbd as (

    {{ fit_parameters_pivoted('fitted', 'bg_nbd', ['r', 'alpha', 'a', 'b']) }}

),

gamma_gamma as (

    {{ fit_parameters_pivoted('fitted', 'gamma_gamma', ['p', 'q', 'gamma']) }}

),

customers as (

    select
        customer_id,
        repeat_purchase_days as x,
        case when repeat_purchase_days > 0 then purchase_span_days else 0 end as t_x,
        customer_age_days as t,
        cast(repeat_monetary_value as {{ type_double() }}) as m_x

    from inputs

),

predicted as (

    select
        customers.customer_id,
        bg_nbd.is_converged as is_bg_nbd_usable,
        bg_nbd.fit_status as bg_nbd_status,
        gamma_gamma.is_converged as is_gamma_gamma_usable,
        gamma_gamma.fit_status as gamma_gamma_status,
        -- Gamma-Gamma describes a repeat customer's mean spend only when it is a positive number.
        customers.x = 0 or {{ is_finite('customers.m_x') }} and customers.m_x > 0 as is_spend_valid,
        case
            when bg_nbd.is_converged
                then {{ bg_nbd_p_alive(
                    'bg_nbd.r', 'bg_nbd.alpha', 'bg_nbd.a', 'bg_nbd.b', 'customers.x', 'customers.t_x', 'customers.t'
                ) }}
        end as p_alive,
        histories.expected_purchases,
        histories.discounted_expected_purchases,
        case
            when bg_nbd.is_converged
                then {{ bg_nbd_probability_no_purchase(
                    'bg_nbd.r', 'bg_nbd.alpha', 'bg_nbd.a', 'bg_nbd.b',
                    'customers.x', 'customers.t_x', 'customers.t', 'parameters.churn_window_days',
                ) }}
        end as probability_no_purchase_in_window,
        case
            when gamma_gamma.is_converged
                then {{ gamma_gamma_expected_spend(
                    'gamma_gamma.p', 'gamma_gamma.q', 'gamma_gamma.gamma', 'customers.x', 'customers.m_x'
                ) }}
        end as expected_spend

    from customers
    cross join bg_nbd
    cross join gamma_gamma
    cross join parameters
    left join histories
        on
            customers.x = histories.x
            and customers.t_x = histories.t_x
            and customers.t = histories.t

),

checked as (

    select
        *,
        is_bg_nbd_usable
        and not (
            {{ is_finite('p_alive') }}
            and {{ is_finite('expected_purchases') }}
            and {{ is_finite('probability_no_purchase_in_window') }}
            and {{ is_finite('discounted_expected_purchases') }}
        ) as is_broken

    from predicted

),

final as (

    select
        customer_id,
        case when not is_broken then p_alive end as p_alive,
        case when not is_broken then expected_purchases end as expected_purchases,
        case when is_bg_nbd_usable and not is_broken and is_spend_valid then expected_spend end
            as expected_average_order_value,
        case
            when is_bg_nbd_usable and not is_broken and is_spend_valid
                then discounted_expected_purchases * expected_spend
        end as predicted_clv,
        case when not is_broken then probability_no_purchase_in_window end as probability_no_purchase_in_window,
        case
            when not is_bg_nbd_usable then concat('bg_nbd not fitted: ', bg_nbd_status)
            when is_broken then 'numerical failure: non-finite prediction'
            when not is_gamma_gamma_usable then concat('gamma_gamma not fitted: ', gamma_gamma_status)
            when not is_spend_valid then 'invalid input: monetary_value must be a positive number when x > 0'
            else 'ok'
        end as prediction_status

    from checked

)

select * from final
