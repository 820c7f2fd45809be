with

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

tickets as (

    select * from {{ ref('int_support_tickets_enriched') }}

),

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

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

ticket_totals as (

    select
        customer_id,
        cast(count(*) as integer) as tickets_count,
        cast(sum(case when is_open then 1 else 0 end) as integer) as open_tickets_count

    from tickets
    group by customer_id

),

nps_ranked as (

    select
        customer_id,
        score,
        nps_category,
        responded_at,
        row_number() over (
            partition by customer_id
            order by responded_at desc, response_id desc
        ) as recency_rank

    from responses
    where survey_type = 'nps'

),

latest_nps as (

    select
        customer_id,
        score as latest_nps_score,
        nps_category as latest_nps_category,
        responded_at as latest_nps_responded_at

    from nps_ranked
    where recency_rank = 1

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
        coalesce(ticket_totals.tickets_count, 0) as tickets_count,
        coalesce(ticket_totals.open_tickets_count, 0) as open_tickets_count,
        latest_nps.latest_nps_score,
        latest_nps.latest_nps_category,
        latest_nps.latest_nps_responded_at,
        parameters.as_of_date

    from customers
    cross join parameters
    left join order_totals
        on customers.customer_id = order_totals.customer_id
    left join ticket_totals
        on customers.customer_id = ticket_totals.customer_id
    left join latest_nps
        on customers.customer_id = latest_nps.customer_id

)

select * from final
