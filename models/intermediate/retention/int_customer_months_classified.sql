{#
    One row per customer and reporting month in which the customer counts for anything: active
    on the day before the month begins, active on the month's end day, or purchasing in the month.
    The flags are the building blocks of every monthly retention metric, so all of them are
    defined here once (see docs: retention_definitions).
#}
with

months as (

    select * from {{ ref('int_months_enumerated') }}

),

spells as (

    select * from {{ ref('int_activity_spells_merged') }}

),

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

-- Activity at the two measuring days: a spell covers a day when it starts on or before it
-- and ends on or after it.
activity as (

    select
        spells.customer_id,
        months.month,
        case
            when spells.spell_start_date <= months.previous_month_end_date
                and spells.spell_end_date >= months.previous_month_end_date
                then 1
            else 0
        end as is_active_at_start,
        case
            when spells.spell_start_date <= months.month_end_date
                and spells.spell_end_date >= months.month_end_date
                then 1
            else 0
        end as is_active_at_end,
        0 as purchases_count,
        cast(0 as decimal(18, 2)) as net_revenue,
        cast(null as date) as last_purchase_date

    from spells
    inner join months
        on spells.spell_start_date <= months.month_end_date
            and spells.spell_end_date >= months.previous_month_end_date

),

purchases as (

    select
        purchase_days.customer_id,
        cast({{ dbt.date_trunc('month', 'purchase_days.purchase_date') }} as date) as month,
        0 as is_active_at_start,
        0 as is_active_at_end,
        purchase_days.purchases_count,
        purchase_days.net_revenue,
        purchase_days.purchase_date as last_purchase_date

    from purchase_days

),

-- The month of each customer's first and second purchase: "new" and "repeat" customers.
milestones as (

    select
        customer_id,
        min(case when purchase_sequence_number = 1 then ordered_date end) as first_purchase_date,
        min(case when purchase_sequence_number = 2 then ordered_date end) as second_purchase_date

    from orders
    where is_purchase
    group by customer_id

),

combined as (

    select * from activity
    union all
    select * from purchases

),

customer_months as (

    select
        customer_id,
        month,
        max(is_active_at_start) = 1 as is_active_at_start,
        max(is_active_at_end) = 1 as is_active_at_end,
        cast(sum(purchases_count) as integer) as purchases_count,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue,
        max(last_purchase_date) as last_purchase_date

    from combined
    group by customer_id, month

),

final as (

    select
        customer_months.customer_id,
        customer_months.month,
        customer_months.is_active_at_start,
        customer_months.is_active_at_end,
        cast({{ dbt.date_trunc('month', 'milestones.first_purchase_date') }} as date)
        = customer_months.month as is_new,
        coalesce(
            cast({{ dbt.date_trunc('month', 'milestones.second_purchase_date') }} as date)
            = customer_months.month,
            false
        ) as is_repeat_from_this_month,
        customer_months.purchases_count,
        customer_months.net_revenue,
        customer_months.last_purchase_date

    from customer_months
    inner join milestones
        on customer_months.customer_id = milestones.customer_id

)

select * from final
