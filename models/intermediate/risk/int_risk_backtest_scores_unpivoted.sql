{#
    The backtest's scores, one row per backtest date, scorer and customer: the risk score and the
    naive baseline (days since the last purchase alone), each with the outcome that followed
    (1 = no purchase in the next churn_window_days).
#}
with

scored as (

    select * from {{ ref('int_customer_risk_scored') }}

),

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

scorers as (

    select 'risk_score' as scorer
    union all
    select 'baseline_days_since_last_purchase' as scorer

),

final as (

    select
        cast(scored.scoring_date as date) as backtest_date,
        scorers.scorer,
        scored.customer_id,
        cast(
            case when scorers.scorer = 'risk_score' then scored.risk_score else scored.baseline_score end
            as {{ type_double() }}
        ) as score,
        cast(scored.outcome_no_purchase as integer) as outcome

    from scored
    inner join snapshots
        on cast(scored.scoring_date as date) = snapshots.snapshot_date
    cross join scorers
    where snapshots.is_backtest_date

)

select * from final
