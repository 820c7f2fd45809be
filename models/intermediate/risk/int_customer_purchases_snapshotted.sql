{#
    The purchase history of every customer with a purchase, at every risk snapshot date
    (int_risk_snapshots_enumerated), from purchases up to that date: first and last purchase day,
    the customer's own usual gap between purchase days, purchases in the last
    `recent_activity_days` days and in the same number of days before them, and the next purchase
    day after the snapshot (which decides the outcome once its window has passed).
#}
with

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

windows as (

    select
        snapshot_date,
        cast({{ dbt.dateadd('day', 1 - var('recent_activity_days'), 'snapshot_date') }} as date) as recent_start_date,
        cast({{ dbt.dateadd('day', 1 - 2 * var('recent_activity_days'), 'snapshot_date') }} as date)
            as prior_start_date

    from snapshots

),

next_purchase_days as (

    select
        customer_id,
        purchase_date,
        lead(purchase_date) over (partition by customer_id order by purchase_date) as next_purchase_date

    from purchase_days

),

purchase_history as (

    select
        windows.snapshot_date,
        purchase_days.customer_id,
        min(purchase_days.purchase_date) as first_purchase_date,
        max(purchase_days.purchase_date) as last_purchase_date,
        count(*) as purchase_days_count,
        sum(
            case
                when purchase_days.purchase_date >= windows.recent_start_date then purchase_days.purchases_count
                else 0
            end
        ) as recent_purchases_count,
        sum(
            case
                when
                    purchase_days.purchase_date >= windows.prior_start_date
                    and purchase_days.purchase_date < windows.recent_start_date
                    then purchase_days.purchases_count
                else 0
            end
        ) as prior_purchases_count

    from windows
    inner join purchase_days
        on windows.snapshot_date >= purchase_days.purchase_date
    group by windows.snapshot_date, purchase_days.customer_id

),

final as (

    select
        purchase_history.snapshot_date,
        purchase_history.customer_id,
        purchase_history.first_purchase_date,
        purchase_history.last_purchase_date,
        cast({{ dbt.datediff(
            'purchase_history.last_purchase_date',
            'purchase_history.snapshot_date',
            'day'
        ) }} as integer) as days_since_last_purchase,
        case
            when purchase_history.purchase_days_count > 1
                then cast({{ dbt.datediff(
                    'purchase_history.first_purchase_date',
                    'purchase_history.last_purchase_date',
                    'day'
                ) }} as {{ type_double() }}) / (purchase_history.purchase_days_count - 1)
        end as own_gap_days,
        cast(purchase_history.recent_purchases_count as integer) as recent_purchases_count,
        cast(purchase_history.prior_purchases_count as integer) as prior_purchases_count,
        cast(purchase_history.purchase_days_count - 1 as integer) as repeat_purchase_days,
        cast({{ dbt.datediff(
            'purchase_history.first_purchase_date',
            'purchase_history.last_purchase_date',
            'day'
        ) }} as integer) as purchase_span_days,
        cast({{ dbt.datediff(
            'purchase_history.first_purchase_date',
            'purchase_history.snapshot_date',
            'day'
        ) }} as integer) as tenure_days,
        next_purchase_days.next_purchase_date

    from purchase_history
    inner join next_purchase_days
        on
            purchase_history.customer_id = next_purchase_days.customer_id
            and purchase_history.last_purchase_date = next_purchase_days.purchase_date

)

select * from final
