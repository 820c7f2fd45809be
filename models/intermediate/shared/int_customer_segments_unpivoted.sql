{#
    Every customer once per reporting dimension, with their segment value in it: the single
    source of the breakdowns of the monthly marts (retention, voice of the customer).
    Dimensions: all (value 'all'), acquisition_channel, country, loyalty_membership
    (member / non_member) and rfm_segment ('No purchase' for customers who have not bought).
    Attributes are as of as_of_date. A customer id that appears in orders or survey responses
    but not in the customer table gets the value 'unknown' everywhere, so nothing is dropped.
#}
with

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

rfm as (

    select * from {{ ref('int_customer_rfm_scored') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

current_rfm as (

    select
        rfm.customer_id,
        rfm.rfm_segment

    from rfm
    inner join parameters
        on rfm.snapshot_date = parameters.as_of_date

),

known_customers as (

    select
        customers.customer_id,
        coalesce(customers.acquisition_channel, 'unknown') as acquisition_channel,
        coalesce(customers.country_code, 'unknown') as country_code,
        case when customers.is_loyalty_member then 'member' else 'non_member' end as loyalty_membership,
        coalesce(current_rfm.rfm_segment, 'No purchase') as rfm_segment

    from customers
    left join current_rfm
        on customers.customer_id = current_rfm.customer_id

),

unknown_customers as (

    select distinct
        active_ids.customer_id,
        'unknown' as acquisition_channel,
        'unknown' as country_code,
        'unknown' as loyalty_membership,
        'unknown' as rfm_segment

    from (
        select customer_id from orders
        union
        select customer_id from responses
    ) as active_ids
    left join customers
        on active_ids.customer_id = customers.customer_id
    where customers.customer_id is null

),

customer_segments as (

    select * from known_customers
    union all
    select * from unknown_customers

),

dimensions as (

    select 'all' as dimension
    union all
    select 'acquisition_channel' as dimension
    union all
    select 'country' as dimension
    union all
    select 'loyalty_membership' as dimension
    union all
    select 'rfm_segment' as dimension

),

final as (

    select
        customer_segments.customer_id,
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'acquisition_channel' then customer_segments.acquisition_channel
            when 'country' then customer_segments.country_code
            when 'loyalty_membership' then customer_segments.loyalty_membership
            else customer_segments.rfm_segment
        end as dimension_value

    from customer_segments
    cross join dimensions

)

select * from final
