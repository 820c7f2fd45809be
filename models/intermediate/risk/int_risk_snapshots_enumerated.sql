{#
    The dates the churn-risk model looks at: as_of_date (scored) and the month ends of the
    previous `risk_snapshot_months` months (history it learns from). A snapshot whose outcome
    window (the next churn_window_days days) ends on or before as_of_date has a known outcome;
    the latest `risk_backtest_dates` of those are the backtest dates.
#}
with

months as (

    select * from {{ ref('int_months_enumerated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

snapshots as (

    select month_end_date as snapshot_date

    from months
    where months_before_current <= {{ var('risk_snapshot_months') }}

    -- as_of_date is the current month's end date; named again for a data set without purchases.
    union

    select as_of_date as snapshot_date

    from parameters

),

with_outcome_window as (

    select
        snapshots.snapshot_date,
        snapshots.snapshot_date = parameters.as_of_date as is_as_of_date,
        cast({{ dbt.dateadd('day', 'parameters.churn_window_days', 'snapshots.snapshot_date') }} as date)
        <= parameters.as_of_date as has_known_outcome

    from snapshots
    cross join parameters

),

final as (

    select
        snapshot_date,
        is_as_of_date,
        has_known_outcome,
        has_known_outcome and row_number() over (
            partition by has_known_outcome order by snapshot_date desc
        ) <= {{ var('risk_backtest_dates') }} as is_backtest_date

    from with_outcome_window

)

select * from final
