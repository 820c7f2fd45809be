{#
    The dates the churn-risk model looks at: as_of_date (scored) and the month ends of the
    previous `risk_snapshot_months` months whose outcome is known (history it learns from): their
    outcome window (the next churn_window_days days) ended on or before as_of_date. Month ends
    whose outcome is still open are left out: nothing learns from them and nothing scores them.
    The latest `risk_backtest_dates` dates with a known outcome are the backtest dates; the
    backtest and as_of_date are the scored dates, whose every customer is scored.
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

with_backtest as (

    select
        snapshot_date,
        is_as_of_date,
        has_known_outcome,
        has_known_outcome and row_number() over (
            partition by has_known_outcome order by snapshot_date desc
        ) <= {{ var('risk_backtest_dates') }} as is_backtest_date

    from with_outcome_window
    where is_as_of_date or has_known_outcome

),

final as (

    select
        snapshot_date,
        is_as_of_date,
        has_known_outcome,
        is_backtest_date,
        is_as_of_date or is_backtest_date as is_scored_date

    from with_backtest

)

select * from final
