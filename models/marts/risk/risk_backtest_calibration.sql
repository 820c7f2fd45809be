{#
    Calibration of the backtest: per backtest date, scorer and score decile (1 = lowest scores),
    the mean predicted probability of no purchase next to the share that actually did not buy.
#}
with

scores as (

    select * from {{ ref('int_risk_backtest_scores_unpivoted') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

deciles as (

    select
        *,
        ntile(10) over (partition by backtest_date, scorer order by score, customer_id) as score_decile

    from scores
    where score is not null and outcome is not null

),

final as (

    select
        deciles.backtest_date,
        deciles.scorer,
        cast(deciles.score_decile as integer) as score_decile,
        cast(count(*) as integer) as customers,
        cast(avg(deciles.score) as {{ type_double() }}) as mean_predicted_no_purchase,
        cast(avg(cast(deciles.outcome as {{ type_double() }})) as {{ type_double() }}) as actual_no_purchase_rate,
        max(parameters.as_of_date) as as_of_date

    from deciles
    cross join parameters
    group by deciles.backtest_date, deciles.scorer, deciles.score_decile

)

select * from final
