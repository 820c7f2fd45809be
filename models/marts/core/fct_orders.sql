with

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

final as (

    select
        order_id,
        customer_id,
        ordered_at,
        ordered_date,
        order_status,
        sales_channel,
        items_count,
        gross_amount,
        discount_amount,
        net_revenue,
        is_purchase,
        purchase_sequence_number

    from orders

)

select * from final
