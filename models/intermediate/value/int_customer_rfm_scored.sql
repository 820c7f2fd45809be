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
        max(last_purchase_date) over customer_months_to_date as last_purchase_date,
        sum(purchases_count) over customer_months_to_date as frequency,
        sum(net_revenue) over customer_months_to_date as monetary

    from customer_months
    where purchases_count > 0
    window customer_months_to_date as (
        partition by customer_id order by month rows between unbounded preceding and current row
    )

),

first_months as (

    select
        customer_id,
        min(month) as first_month

    from purchase_months
    group by customer_id

),

-- Each customer who had purchased by a snapshot, once per snapshot; the totals come from the
-- customer's latest purchase month up to the snapshot's month (macro asof_left_join).
probes as (

    select
        snapshots.snapshot_date,
        snapshots.month,
        first_months.customer_id

    from snapshots
    inner join first_months
        on snapshots.month >= first_months.first_month

),

to_date_state as (

    {{ asof_left_join(
        'probes', 'customer_id', 'month', 'purchase_months', 'customer_id', 'month',
        ['last_purchase_date', 'frequency', 'monetary'], 'to_date_',
    ) }}

),

to_date as (

    select
        snapshot_date,
        customer_id,
        to_date_last_purchase_date as last_purchase_date,
        to_date_frequency as frequency,
        to_date_monetary as monetary

    from to_date_state

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
