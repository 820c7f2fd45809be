{#
    Customers as they were known on as_of_date: signed up by then, with loyalty membership
    only if it had started by then.
#}
with

customers as (

    select * from {{ ref('stg_raw__customers') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

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
        case
            when customers.loyalty_member_since_date <= parameters.as_of_date
                then customers.loyalty_member_since_date
        end as loyalty_member_since_date,
        coalesce(customers.loyalty_member_since_date <= parameters.as_of_date, false) as is_loyalty_member

    from customers
    cross join parameters
    where cast(customers.signed_up_at as date) <= parameters.as_of_date

)

select * from final
