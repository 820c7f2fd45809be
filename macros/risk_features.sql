{#
    The churn-risk model's features as SQL, in the model's order (modelling.risk.FEATURES): each
    feature's value from a row of int_risk_features_completed, transformed as the model reads it.
    log1p: long-tailed day counts and ratios, log(1 + value), negative values read as 0; trend:
    log(1 + recent purchases) - log(1 + prior purchases); the rest as they are. A null stays null
    (the model imputes it at the training mean: z = 0). tests/test_risk_sample.py checks that these
    equal modelling.risk.model_matrix on the sample.
#}
{% macro risk_feature_expressions(row) -%}
    {%- set log1p = "case when COLUMN is not null then ln(1 + greatest(cast(COLUMN as " ~ type_double() ~ "), 0)) end" -%}
    {{ return([
        ('bgnbd_prob_no_purchase', 'cast(' ~ row ~ '.bgnbd_prob_no_purchase as ' ~ type_double() ~ ')'),
        ('recency_ratio', log1p.replace('COLUMN', row ~ '.recency_ratio')),
        ('days_since_last_purchase', log1p.replace('COLUMN', row ~ '.days_since_last_purchase')),
        ('frequency_trend', log1p.replace('COLUMN', row ~ '.recent_purchases_count') ~ ' - ' ~ log1p.replace('COLUMN', row ~ '.prior_purchases_count')),
        ('recent_returns_count', 'cast(' ~ row ~ '.recent_returns_count as ' ~ type_double() ~ ')'),
        ('recent_failed_payments_count', 'cast(' ~ row ~ '.recent_failed_payments_count as ' ~ type_double() ~ ')'),
        ('open_tickets_count', 'cast(' ~ row ~ '.open_tickets_count as ' ~ type_double() ~ ')'),
        ('recent_tickets_count', 'cast(' ~ row ~ '.recent_tickets_count as ' ~ type_double() ~ ')'),
        ('overdue_open_tickets_count', 'cast(' ~ row ~ '.overdue_open_tickets_count as ' ~ type_double() ~ ')'),
        ('is_nps_detractor', 'cast(' ~ row ~ '.is_nps_detractor as ' ~ type_double() ~ ')'),
        ('is_csat_low', 'cast(' ~ row ~ '.is_csat_low as ' ~ type_double() ~ ')'),
        ('is_loyalty_member', 'cast(' ~ row ~ '.is_loyalty_member as ' ~ type_double() ~ ')'),
        ('tenure_days', log1p.replace('COLUMN', row ~ '.tenure_days')),
    ]) }}
{%- endmacro %}

{# Round half to even, as Python's round() and format() do for the reason texts. #}
{% macro round_half_even(value) -%}
    (
        case
            when {{ value }} - floor({{ value }}) = 0.5
                then case when floor({{ value }}) % 2 = 0 then floor({{ value }}) else floor({{ value }}) + 1 end
            else round({{ value }})
        end
    )
{%- endmacro %}

{# A count or a number of days as text, the way the reason texts show it (a whole number). #}
{% macro whole_text(value) -%}
    cast(cast({{ value }} as bigint) as {{ dbt.type_string() }})
{%- endmacro %}
