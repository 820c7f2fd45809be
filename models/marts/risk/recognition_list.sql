{#
    Healthy, valuable customers with a milestone (birthday or signup anniversary) in the next
    milestone_window_days days: the people to thank and treat before anything goes wrong.
    Healthy = low risk tier; valuable = RFM Champions or Loyal, or a predicted CLV in the top
    fifth of the scored customers.
#}
with

health as (

    select * from {{ ref('customer_health') }}

),

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

milestones as (

    select * from {{ ref('int_customer_milestones_scheduled') }}

),

value_ranked as (

    select
        *,
        percent_rank() over (order by coalesce(predicted_clv, 0)) as value_percentile

    from health

),

final as (

    select
        value_ranked.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        value_ranked.rfm_segment,
        value_ranked.predicted_clv,
        value_ranked.risk_score,
        milestones.next_milestone_type as milestone_type,
        milestones.next_milestone_date as milestone_date,
        milestones.days_until_milestone,
        value_ranked.as_of_date

    from value_ranked
    inner join milestones
        on value_ranked.customer_id = milestones.customer_id
    left join customers
        on value_ranked.customer_id = customers.customer_id
    where
        value_ranked.risk_tier = 'low'
        and (value_ranked.rfm_segment in ('Champions', 'Loyal') or value_ranked.value_percentile >= 0.8)
        and milestones.days_until_milestone <= {{ var('milestone_window_days') }}

)

select * from final
