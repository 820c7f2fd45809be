{#
    One row per customer and purchase day (the UTC date of a purchase): two purchases on one
    day make one purchase day. The unit every activity, spell and cohort computation starts from.
#}
with

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

final as (

    select
        customer_id,
        ordered_date as purchase_date,
        cast(count(*) as integer) as purchases_count,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue

    from orders
    where is_purchase
    group by customer_id, ordered_date

)

select * from final
