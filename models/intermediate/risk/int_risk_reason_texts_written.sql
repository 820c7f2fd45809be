{#
    The plain-words text of each ranked reason on as_of_date, from the editable seed
    risk_reason_templates: the template of the reason's code and variant, its placeholders filled
    with the customer's values the way Python shows numbers (half-even rounding). Backtest dates
    keep codes only.
#}
with

reason_variants as (

    select * from {{ ref('int_risk_reasons_ranked') }}

),

templates as (

    select * from {{ ref('risk_reason_templates') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

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
final as (

    select
        scoring_date,
        customer_id,
        reason_rank,
        reason_code,
        reason_contribution,
        case when is_as_of_date then filled_text end as reason_text

    from filled_{{ placeholders | length }}

)

select * from final
