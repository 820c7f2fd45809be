{#
    Each customer's next milestones on or after as_of_date: birthday and signup anniversary
    (29 February recurs on 28 February in other years), and the nearer of the two.
#}
with

customers as (

    select * from {{ ref('int_customers_enriched') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

upcoming as (

    select
        customers.customer_id,
        case
            when customers.birth_date is not null
                then {{ next_anniversary_date('customers.birth_date', 'parameters.as_of_date') }}
        end as next_birthday_date,
        {{ next_anniversary_date('cast(customers.signed_up_at as date)', 'parameters.as_of_date') }}
            as next_signup_anniversary_date,
        parameters.as_of_date

    from customers
    cross join parameters

),

final as (

    select
        customer_id,
        next_birthday_date,
        next_signup_anniversary_date,
        case
            when next_birthday_date is not null and next_birthday_date <= next_signup_anniversary_date
                then 'birthday'
            else 'signup_anniversary'
        end as next_milestone_type,
        case
            when next_birthday_date is not null and next_birthday_date <= next_signup_anniversary_date
                then next_birthday_date
            else next_signup_anniversary_date
        end as next_milestone_date,
        cast({{ dbt.datediff(
            'as_of_date',
            'case when next_birthday_date is not null and next_birthday_date <= next_signup_anniversary_date '
            ~ 'then next_birthday_date else next_signup_anniversary_date end',
            'day'
        ) }} as integer) as days_until_milestone

    from upcoming

)

select * from final
