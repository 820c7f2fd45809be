with

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

signals as (

    select * from {{ ref('int_customer_signals_aggregated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

order_totals as (

    select
        customer_id,
        cast(count(*) as integer) as orders_count,
        cast(sum(case when is_purchase then 1 else 0 end) as integer) as purchase_count,
        min(case when is_purchase then ordered_date end) as first_purchase_date,
        max(case when is_purchase then ordered_date end) as last_purchase_date,
        sum(net_revenue) as net_revenue

    from orders
    group by customer_id

),

final as (

    select
        customers.customer_id,
        customers.email,
        customers.first_name,
        customers.last_name,
        customers.birth_date,
        customers.signed_up_at,
        customers.country_code,
        customers.acquisition_channel,
        customers.is_loyalty_member,
        customers.loyalty_member_since_date,
        order_totals.first_purchase_date,
        order_totals.last_purchase_date,
        coalesce(order_totals.orders_count, 0) as orders_count,
        coalesce(order_totals.purchase_count, 0) as purchase_count,
        cast(coalesce(order_totals.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        coalesce(signals.tickets_count, 0) as tickets_count,
        coalesce(signals.open_tickets_count, 0) as open_tickets_count,
        coalesce(signals.recent_tickets_count, 0) as recent_tickets_count,
        coalesce(signals.recent_returns_count, 0) as recent_returns_count,
        coalesce(signals.recent_failed_payments_count, 0) as recent_failed_payments_count,
        signals.latest_nps_score,
        signals.latest_nps_category,
        signals.latest_nps_responded_at,
        signals.latest_csat_score,
        signals.latest_csat_responded_at,
        parameters.as_of_date

    from customers
    cross join parameters
    left join order_totals
        on customers.customer_id = order_totals.customer_id
    left join signals
        on customers.customer_id = signals.customer_id

)

select * from final
