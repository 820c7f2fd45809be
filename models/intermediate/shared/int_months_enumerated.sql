{#
    The reporting months: every calendar month from the month of the first purchase up to the
    month of as_of_date. Each month carries the two days its retention is measured on: the day
    before it begins (start) and its last day, or as_of_date for the current month (end), and how
    many months it lies before the current month: month-end snapshots (RFM, churn risk) are the
    month_end_date of the months with months_before_current up to their var.
#}
with

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(purchase_days.purchase_date)') }} as date) as first_month,
        cast({{ dbt.date_trunc('month', 'max(parameters.as_of_date)') }} as date) as last_month,
        max(parameters.as_of_date) as as_of_date

    from purchase_days
    cross join parameters

),

-- 1,200 month offsets: a century of history, far beyond any shop's data.
offsets as (

    {{ dbt.generate_series(1200) }}

),

months as (

    select
        cast({{ dbt.dateadd('month', 'offsets.generated_number - 1', 'bounds.first_month') }} as date) as month,
        bounds.last_month,
        bounds.as_of_date

    from bounds
    cross join offsets

),

final as (

    select
        month,
        cast({{ dbt.dateadd('day', -1, 'month') }} as date) as previous_month_end_date,
        case
            when month = last_month then as_of_date
            else cast({{ dbt.last_day('month', 'month') }} as date)
        end as month_end_date,
        month = last_month as is_current_month,
        -- datediff(first, second, datepart): whole months from this month to the current one.
        cast({{ dbt.datediff(
            'month', 'last_month', 'month'
        ) }} as integer) as months_before_current

    from months
    where month <= last_month

)

select * from final
