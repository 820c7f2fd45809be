{#
    The list a retention specialist calls back: the items of int_service_recovery_items_collected
    (detractors, low CSAT answers, overdue tickets not followed by a purchase). Each item carries
    the customer's value, how many days it has waited and the team that owns it (editable seed service_recovery_owners), ranked
    by value at stake, then by waiting time.
#}
with

items as (

    select * from {{ ref('int_service_recovery_items_collected') }}

),

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

values_predicted as (

    select * from {{ ref('int_customer_values_predicted') }}

),

clv_inputs as (

    select * from {{ ref('int_clv_inputs_summarized') }}

),

owners as (

    select * from {{ ref('service_recovery_owners') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        items.queue_item_id,
        items.item_type,
        items.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        items.item_at,
        cast(items.item_at as date) as item_date,
        cast({{ dbt.datediff(
            'cast(items.item_at as date)',
            'parameters.as_of_date',
            'day'
        ) }} as integer) as days_waiting,
        items.score,
        items.ticket_id,
        items.ticket_category,
        items.comment_text,
        coalesce(owners.owning_team, 'Customer care') as owning_team,
        cast(items.last_purchased_at as date) as last_purchase_date,
        clv_inputs.net_revenue as historical_clv,
        cast(values_predicted.predicted_clv as {{ type_double() }}) as predicted_clv,
        cast(row_number() over (
            order by
                coalesce(values_predicted.predicted_clv, 0) desc,
                items.item_at asc,
                items.queue_item_id asc
        ) as integer) as priority_rank,
        parameters.as_of_date

    from items
    cross join parameters
    left join customers
        on items.customer_id = customers.customer_id
    left join clv_inputs
        on items.customer_id = clv_inputs.customer_id
    left join values_predicted
        on items.customer_id = values_predicted.customer_id
    left join owners
        on
            items.item_type = owners.item_type
            and coalesce(items.ticket_category, '') = coalesce(owners.ticket_category, '')

)

select * from final
