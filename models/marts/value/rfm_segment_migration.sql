{#
    Segment migration between consecutive RFM snapshots (month ends, the last one at
    as_of_date): how many customers moved from each segment to each other. Customers whose first
    purchase falls between the two snapshots come from 'Not yet a customer'.
#}
with

rfm as (

    select * from {{ ref('int_customer_rfm_scored') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

snapshot_pairs as (

    select
        snapshot_date as to_snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as from_snapshot_date

    from (select distinct snapshot_date from rfm) as snapshot_dates

),

moves as (

    select
        snapshot_pairs.from_snapshot_date,
        snapshot_pairs.to_snapshot_date,
        coalesce(previous.rfm_segment, 'Not yet a customer') as from_segment,
        current_.rfm_segment as to_segment

    from snapshot_pairs
    inner join rfm as current_
        on snapshot_pairs.to_snapshot_date = current_.snapshot_date
    left join rfm as previous
        on
            snapshot_pairs.from_snapshot_date = previous.snapshot_date
            and current_.customer_id = previous.customer_id
    where snapshot_pairs.from_snapshot_date is not null

),

counted as (

    select
        from_snapshot_date,
        to_snapshot_date,
        from_segment,
        to_segment,
        count(*) as customers_count

    from moves
    group by from_snapshot_date, to_snapshot_date, from_segment, to_segment

),

final as (

    select
        counted.from_snapshot_date,
        counted.to_snapshot_date,
        counted.from_segment,
        counted.to_segment,
        coalesce(from_segments.segment_rank, 0) as from_segment_rank,
        to_segments.segment_rank as to_segment_rank,
        cast(counted.customers_count as integer) as customers_count,
        {{ safe_divide(
            'counted.customers_count',
            'sum(counted.customers_count) over (partition by counted.from_snapshot_date, counted.from_segment)'
        ) }} as share_of_from_segment,
        counted.from_segment = counted.to_segment as is_same_segment,
        parameters.as_of_date

    from counted
    cross join parameters
    left join segments as from_segments
        on counted.from_segment = from_segments.rfm_segment
    left join segments as to_segments
        on counted.to_segment = to_segments.rfm_segment

)

select * from final
