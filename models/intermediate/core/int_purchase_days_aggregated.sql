{#
    One row per customer and purchase day (the UTC date of a purchase): two purchases on one
    day make one purchase day. The unit every activity, spell and cohort computation starts from.
    Each day also carries the customer's running totals up to it and their next purchase day, so
    a snapshot reads a customer's history at any date from one row (an as-of join) instead of
    re-aggregating it.
#}

with

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

purchase_days as (

    select
        customer_id,
        ordered_date as purchase_date,
        cast(count(*) as integer) as purchases_count,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue

    from orders
    where is_purchase
    group by customer_id, ordered_date

),

final as (

    select
        customer_id,
        purchase_date,
        purchases_count,
        net_revenue,
        cast(row_number() over customer_days as integer) as purchase_days_to_date,
        cast(sum(purchases_count) over customer_days as integer) as purchases_to_date,
        lead(purchase_date) over (partition by customer_id order by purchase_date) as next_purchase_date

    from purchase_days
    window customer_days as (
        partition by customer_id order by purchase_date rows between unbounded preceding and current row
    )

)

select * from final
