{#
    The proof that the worklist works: for each backtest date (a past month end whose outcome
    window has ended), the risk score computed point-in-time then, against what happened in the
    next churn_window_days, next to the naive baseline (days since last purchase alone).
    AUC is the Mann-Whitney statistic with ties counted half; the top decile is the 10% highest
    scores (ties broken by customer_id); lift = top-decile precision / base rate.
#}
with

scores as (

    select * from {{ ref('int_risk_backtest_scores_unpivoted') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

ranked as (

    select
        *,
        rank() over (partition by backtest_date, scorer order by score) as score_rank,
        count(*) over (partition by backtest_date, scorer, score) as tied_count,
        ntile(10) over (
            partition by backtest_date, scorer order by score desc, customer_id asc
        ) as score_decile_from_top

    from scores
    where score is not null and outcome is not null

),

summarised as (

    select
        backtest_date,
        scorer,
        count(*) as customers,
        sum(outcome) as no_purchase_customers,
        sum(case when outcome = 1 then score_rank + (tied_count - 1) / 2.0 else 0 end) as positive_rank_sum,
        avg(cast(outcome as {{ type_double() }})) as base_rate,
        avg(case when score_decile_from_top = 1 then cast(outcome as {{ type_double() }}) end) as top_decile_precision,
        avg((score - outcome) * (score - outcome)) as brier_score

    from ranked
    group by backtest_date, scorer

),

final as (

    select
        summarised.backtest_date,
        summarised.scorer,
        cast(summarised.customers as integer) as customers,
        cast(summarised.no_purchase_customers as integer) as no_purchase_customers,
        cast(summarised.base_rate as {{ type_double() }}) as base_rate,
        {{ safe_divide(
            'summarised.positive_rank_sum - summarised.no_purchase_customers * (summarised.no_purchase_customers + 1) / 2.0',
            'summarised.no_purchase_customers * (summarised.customers - summarised.no_purchase_customers)'
        ) }} as auc,
        cast(summarised.top_decile_precision as {{ type_double() }}) as top_decile_precision,
        {{ safe_divide('summarised.top_decile_precision', 'summarised.base_rate') }} as top_decile_lift,
        cast(summarised.brier_score as {{ type_double() }}) as brier_score,
        parameters.as_of_date

    from summarised
    cross join parameters

)

select * from final
