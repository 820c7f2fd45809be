{#
    The daily worklist: customers in the high or medium risk tier, ranked by value at risk, with
    contact fields, segment, and the action of the editable playbook (seed retention_playbook):
    the first rule, by rule_order, whose condition holds.
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

playbook as (

    select * from {{ ref('retention_playbook') }}

),

at_risk as (

    select
        health.*,
        customers.first_name,
        customers.last_name,
        customers.email,
        milestones.next_milestone_type,
        milestones.next_milestone_date,
        milestones.days_until_milestone,
        health.open_tickets_count > 0
        or health.is_nps_detractor
        or health.is_csat_low
        or health.recent_failed_payments_count > 0 as has_open_problem,
        coalesce(
            health.rfm_segment in ('Champions', 'Loyal', 'Cannot Lose Them')
            and milestones.days_until_milestone <= {{ var('milestone_window_days') }},
            false
        ) as is_valued_with_milestone,
        coalesce(
            health.rfm_segment in ('Champions', 'Loyal', 'Potential Loyalist', 'Need Attention')
            and health.recent_purchases_count < health.prior_purchases_count,
            false
        ) as is_loyal_and_declining,
        coalesce(health.days_since_last_purchase > health.usual_gap_days, false) as is_lapsed

    from health
    left join customers
        on health.customer_id = customers.customer_id
    left join milestones
        on health.customer_id = milestones.customer_id
    where health.risk_tier in ('high', 'medium')

),

matched_rules as (

    select
        at_risk.customer_id,
        playbook.rule_order,
        playbook.action_code,
        playbook.recommended_action,
        playbook.owning_role,
        playbook.due_in_days,
        row_number() over (partition by at_risk.customer_id order by playbook.rule_order) as match_rank

    from at_risk
    inner join playbook
        on
            case playbook.when_flag
                when 'has_open_problem' then at_risk.has_open_problem
                when 'is_valued_with_milestone' then at_risk.is_valued_with_milestone
                when 'is_loyal_and_declining' then at_risk.is_loyal_and_declining
                when 'is_lapsed' then at_risk.is_lapsed
                when 'always' then true
                else false
            end

),

final as (

    select
        cast(row_number() over (
            order by coalesce(at_risk.value_at_risk, 0) desc, at_risk.risk_score desc, at_risk.customer_id asc
        ) as integer) as worklist_rank,
        at_risk.customer_id,
        at_risk.first_name,
        at_risk.last_name,
        at_risk.email,
        at_risk.rfm_segment,
        at_risk.health_status,
        at_risk.risk_score,
        at_risk.risk_tier,
        at_risk.predicted_clv,
        at_risk.value_at_risk,
        at_risk.reason_1,
        at_risk.reason_2,
        at_risk.reason_3,
        matched_rules.action_code,
        matched_rules.recommended_action,
        matched_rules.owning_role,
        case
            when matched_rules.action_code = 'service_recovery' then 'urgent'
            when at_risk.risk_tier = 'high' then 'high'
            else 'normal'
        end as priority,
        cast({{ dbt.dateadd('day', 'matched_rules.due_in_days', 'at_risk.as_of_date') }} as date) as due_date,
        at_risk.has_open_problem,
        at_risk.is_valued_with_milestone,
        at_risk.is_loyal_and_declining,
        at_risk.is_lapsed,
        at_risk.next_milestone_type,
        at_risk.next_milestone_date,
        at_risk.as_of_date

    from at_risk
    inner join matched_rules
        on
            at_risk.customer_id = matched_rules.customer_id
            and matched_rules.match_rank = 1

)

select * from final
