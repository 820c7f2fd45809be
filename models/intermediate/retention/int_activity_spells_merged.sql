{#
    Customer activity as spells: each purchase day p makes the customer active on
    [p, p + W - 1] (W = churn_window_days); overlapping or touching windows merge into one spell.
    A new spell starts when a purchase day comes more than W days after the previous one.
    One row per spell, so activity on any day is a range lookup instead of a row per day.
#}
with

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

gaps as (

    select
        purchase_days.customer_id,
        purchase_days.purchase_date,
        parameters.churn_window_days,
        {{ dbt.datediff(
            'lag(purchase_days.purchase_date) over (partition by purchase_days.customer_id '
            ~ 'order by purchase_days.purchase_date)',
            'purchase_days.purchase_date',
            'day'
        ) }} as days_since_previous_purchase

    from purchase_days
    cross join parameters

),

spell_starts as (

    select
        *,
        case
            when days_since_previous_purchase is null or days_since_previous_purchase > churn_window_days
                then 1
            else 0
        end as is_spell_start

    from gaps

),

numbered as (

    select
        *,
        sum(is_spell_start) over (
            partition by customer_id
            order by purchase_date
            rows between unbounded preceding and current row
        ) as spell_number

    from spell_starts

),

final as (

    select
        customer_id,
        cast(spell_number as integer) as spell_number,
        min(purchase_date) as spell_start_date,
        max(purchase_date) as last_purchase_date,
        cast({{ dbt.dateadd('day', 'max(churn_window_days) - 1', 'max(purchase_date)') }} as date)
            as spell_end_date,
        cast(count(*) as integer) as purchase_days_count

    from numbered
    group by customer_id, spell_number

)

select * from final
