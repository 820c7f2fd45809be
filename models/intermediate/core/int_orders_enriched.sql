{#
    Orders placed on or before as_of_date, with the purchase definitions applied:
    a purchase is a completed order; its net revenue is gross minus discount; any other
    status has net revenue 0 and is not a purchase.
#}
with

orders as (

    select * from {{ ref('stg_raw__orders') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

point_in_time as (

    select
        orders.*,
        cast(orders.ordered_at as date) as ordered_date,
        orders.order_status = 'completed' as is_purchase

    from orders
    cross join parameters
    where cast(orders.ordered_at as date) <= parameters.as_of_date

),

purchases_sequenced as (

    select
        order_id,
        cast(row_number() over (
            partition by customer_id
            order by ordered_at, order_id
        ) as integer) as purchase_sequence_number

    from point_in_time
    where is_purchase

),

final as (

    select
        point_in_time.order_id,
        point_in_time.customer_id,
        point_in_time.ordered_at,
        point_in_time.ordered_date,
        point_in_time.order_status,
        point_in_time.sales_channel,
        point_in_time.items_count,
        point_in_time.gross_amount,
        point_in_time.discount_amount,
        point_in_time.is_purchase,
        cast(
            case
                when point_in_time.is_purchase
                    then point_in_time.gross_amount - point_in_time.discount_amount
                else 0
            end as decimal(18, 2)
        ) as net_revenue,
        purchases_sequenced.purchase_sequence_number

    from point_in_time
    left join purchases_sequenced
        on point_in_time.order_id = purchases_sequenced.order_id

)

select * from final
