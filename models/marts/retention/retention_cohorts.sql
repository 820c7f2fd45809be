{#
    Cohort retention: customers grouped by the month of their first purchase, followed month by
    month up to the month of as_of_date. Every (cohort, month offset) pair appears, zeros included.
#}
with

customer_months as (

    select * from {{ ref('int_customer_months_classified') }}

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

cohort_members as (

    select
        customer_id,
        month as cohort_month

    from customer_months
    where is_new

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_size

    from cohort_members
    group by cohort_month

),

cohort_activity as (

    select
        cohort_members.cohort_month,
        customer_months.month,
        count(*) as active_customers,
        sum(customer_months.net_revenue) as net_revenue

    from customer_months
    inner join cohort_members
        on customer_months.customer_id = cohort_members.customer_id
    where customer_months.purchases_count > 0
    group by cohort_members.cohort_month, customer_months.month

),

cohort_months as (

    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        months.month,
        {{ dbt.datediff('cohort_sizes.cohort_month', 'months.month', 'month') }}
            as months_since_first_purchase

    from cohort_sizes
    inner join months
        on cohort_sizes.cohort_month <= months.month

),

filled as (

    select
        cohort_months.cohort_month,
        cohort_months.months_since_first_purchase,
        cohort_months.cohort_size,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.net_revenue, 0) as net_revenue

    from cohort_months
    left join cohort_activity
        on cohort_months.cohort_month = cohort_activity.cohort_month
            and cohort_months.month = cohort_activity.month

),

final as (

    select
        filled.cohort_month,
        cast(filled.months_since_first_purchase as integer) as months_since_first_purchase,
        cast(filled.cohort_size as integer) as cohort_size,
        cast(filled.active_customers as integer) as active_customers,
        {{ safe_divide('filled.active_customers', 'filled.cohort_size') }} as retention_rate,
        cast(filled.net_revenue as decimal(18, 2)) as net_revenue,
        {{ safe_divide(
            'sum(filled.net_revenue) over (partition by filled.cohort_month '
            ~ 'order by filled.months_since_first_purchase rows between unbounded preceding and current row)',
            'filled.cohort_size'
        ) }} as cumulative_net_revenue_per_customer,
        parameters.as_of_date

    from filled
    cross join parameters

)

select * from final
