{#
    RFM scores and segment per customer at several snapshot dates: as_of_date and the ends of
    the previous `rfm_snapshot_months` months. Each snapshot is point-in-time: recency, frequency
    and monetary value use purchases up to the snapshot date only, and quintiles are taken among
    the customers who had purchased by then. Scores are 1-5, higher is better (5 = most recent,
    most purchases, highest net revenue); ties are broken by customer_id, so scores are
    deterministic. The segment comes from the editable seed rfm_segment_map.
#}
with

customer_months as (

    select * from {{ ref('int_customer_months_classified') }}

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

snapshots as (

    select
        month,
        month_end_date as snapshot_date

    from months
    where months_before_current <= {{ var('rfm_snapshot_months') }}

),

purchase_months as (

    select
        customer_id,
        month,
        purchases_count,
        net_revenue,
        last_purchase_date

    from customer_months
    where purchases_count > 0

),

to_date as (

    select
        snapshots.snapshot_date,
        purchase_months.customer_id,
        max(purchase_months.last_purchase_date) as last_purchase_date,
        sum(purchase_months.purchases_count) as frequency,
        sum(purchase_months.net_revenue) as monetary

    from snapshots
    inner join purchase_months
        on snapshots.month >= purchase_months.month
    group by snapshots.snapshot_date, purchase_months.customer_id

),

measured as (

    select
        snapshot_date,
        customer_id,
        last_purchase_date,
        cast({{ dbt.datediff(
            'last_purchase_date',
            'snapshot_date',
            'day'
        ) }} as integer) as recency_days,
        cast(frequency as integer) as frequency,
        cast(monetary as decimal(18, 2)) as monetary

    from to_date

),

scored as (

    select
        *,
        cast(ntile(5) over (partition by snapshot_date order by recency_days desc, customer_id asc) as integer)
            as r_score,
        cast(ntile(5) over (partition by snapshot_date order by frequency, customer_id) as integer) as f_score,
        cast(ntile(5) over (partition by snapshot_date order by monetary, customer_id) as integer) as m_score

    from measured

),

final as (

    select
        scored.*,
        segment_map.rfm_segment

    from scored
    left join segment_map
        on scored.r_score = segment_map.r_score
            and scored.f_score = segment_map.f_score
            and scored.m_score = segment_map.m_score

)

select * from final
