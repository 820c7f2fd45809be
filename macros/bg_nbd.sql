{#
    BG/NBD (Fader, Hardie & Lee 2005) quantities with a closed form, row by row in SQL from a
    customer's history (x repeat purchase days, t_x the day of the last one, T the days observed,
    all from the first purchase day) and the fitted parameters r, alpha, a, b. The fits themselves
    run on compressed summaries (modelling.clv); the rows never leave the engine. Both forms are
    written to stay finite: exp() only ever sees a non-positive argument.
#}

{# P(still alive at T | x, t_x, T): exactly 1 for x = 0 (dropout only follows a repeat purchase). #}
{% macro bg_nbd_p_alive(r, alpha, a, b, x, t_x, t) -%}
    case
        when {{ x }} = 0 then 1.0
        else {{ logistic_of_minus(
            'ln(' ~ a ~ ') - ln(' ~ b ~ ' + ' ~ x ~ ' - 1) + (' ~ r ~ ' + ' ~ x ~ ') * (ln(' ~ alpha ~ ' + ' ~ t
            ~ ') - ln(' ~ alpha ~ ' + ' ~ t_x ~ '))'
        ) }}
    end
{%- endmacro %}

{#
    P(no purchase in the next window_days | history): a dead customer never buys; an alive one has a
    Gamma(r + x, alpha + T) rate and cannot drop out without buying first.
#}
{% macro bg_nbd_probability_no_purchase(r, alpha, a, b, x, t_x, t, window_days) -%}
    (
        1.0 - {{ bg_nbd_p_alive(r, alpha, a, b, x, t_x, t) }}
        + {{ bg_nbd_p_alive(r, alpha, a, b, x, t_x, t) }}
        * exp(({{ r }} + {{ x }}) * (ln({{ alpha }} + {{ t }}) - ln({{ alpha }} + {{ t }} + {{ window_days }})))
    )
{%- endmacro %}

{# 1 / (1 + exp(value)), without overflow for a large value. #}
{% macro logistic_of_minus(value) -%}
    (
        case
            when ({{ value }}) > 0 then exp(-({{ value }})) / (1.0 + exp(-({{ value }})))
            else 1.0 / (1.0 + exp({{ value }}))
        end
    )
{%- endmacro %}

{# Gamma-Gamma (Fader, Hardie & Lee 2005b): expected value of a future purchase day given x repeat days of mean m_x. #}
{% macro gamma_gamma_expected_spend(p, q, gamma, x, m_x) -%}
    (
        {{ p }} * ({{ gamma }} + case when {{ x }} > 0 then {{ x }} * {{ m_x }} else 0 end)
        / ({{ p }} * {{ x }} + {{ q }} - 1)
    )
{%- endmacro %}

{#
    One row with a fitted model's parameters as columns, from the long parameters table
    (int_clv_models_fitted: model, parameter, value, is_converged, fit_status), whether the fit
    converged (every row says so) and its status.
#}
{% macro fit_parameters_pivoted(relation, model_name, parameters) -%}
    select
        {%- for parameter in parameters %}
        max(case when parameter = '{{ parameter }}' then value end) as {{ parameter }},
        {%- endfor %}
        min(case when is_converged then 1 else 0 end) = 1 as is_converged,
        max(fit_status) as fit_status
    from {{ relation }}
    where model = '{{ model_name }}'
{%- endmacro %}
