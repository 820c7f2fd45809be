{#
    Monthly retention metrics for all customers and for each segment value of three
    dimensions (acquisition_channel, country, loyalty_membership; see
    int_customer_segments_unpivoted), computed by one query so the overall and the segmented
    marts cannot disagree. Every (dimension, value, month) appears, zeros included, for every
    segment value of a customer signed up by as_of_date (buyer or not).
#}
with

customer_months as (

    select * from {{ ref('int_customer_months_classified') }}

),

customer_segment_values as (

    select * from {{ ref('int_customer_segments_unpivoted') }}
    where dimension in ('all', 'acquisition_channel', 'country', 'loyalty_membership')

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

unpivoted as (

    select
        customer_segment_values.dimension,
        customer_segment_values.dimension_value,
        customer_months.*

    from customer_months
    inner join customer_segment_values
        on customer_months.customer_id = customer_segment_values.customer_id

),

counted as (

    select
        dimension,
        dimension_value,
        month,
        sum(case when is_active_at_start then 1 else 0 end) as customers_start,
        sum(case when is_active_at_end then 1 else 0 end) as customers_end,
        sum(case when is_active_at_start and is_active_at_end then 1 else 0 end) as retained_customers,
        sum(case when is_new then 1 else 0 end) as new_customers,
        sum(
            case when is_active_at_end and not is_active_at_start and not is_new then 1 else 0 end
        ) as reactivated_customers,
        sum(case when is_repeat_from_this_month then 1 else 0 end) as new_repeat_customers,
        sum(purchases_count) as purchases_count,
        sum(net_revenue) as net_revenue

    from unpivoted
    group by dimension, dimension_value, month

),

segment_months as (

    {{ segment_month_spine('customer_segment_values', 'months') }}

),

filled as (

    select
        segment_months.dimension,
        segment_months.dimension_value,
        segment_months.month,
        segment_months.month_end_date,
        coalesce(counted.customers_start, 0) as customers_start,
        coalesce(counted.customers_end, 0) as customers_end,
        coalesce(counted.retained_customers, 0) as retained_customers,
        coalesce(counted.new_customers, 0) as new_customers,
        coalesce(counted.reactivated_customers, 0) as reactivated_customers,
        coalesce(counted.new_repeat_customers, 0) as new_repeat_customers,
        coalesce(counted.purchases_count, 0) as purchases_count,
        coalesce(counted.net_revenue, 0) as net_revenue

    from segment_months
    left join counted
        on segment_months.dimension = counted.dimension
            and segment_months.dimension_value = counted.dimension_value
            and segment_months.month = counted.month

),

-- Customers with a first (second) purchase by the end of the month: running totals of the
-- months in which customers made their first (second) purchase.
cumulated as (

    select
        *,
        sum(new_customers) over (
            partition by dimension, dimension_value
            order by month
            rows between unbounded preceding and current row
        ) as customers_with_purchase_to_date,
        sum(new_repeat_customers) over (
            partition by dimension, dimension_value
            order by month
            rows between unbounded preceding and current row
        ) as customers_with_repeat_purchase_to_date

    from filled

),

final as (

    select
        dimension,
        dimension_value,
        month,
        month_end_date,
        cast(customers_start as integer) as customers_start,
        cast(customers_end as integer) as customers_end,
        cast(retained_customers as integer) as retained_customers,
        cast(new_customers as integer) as new_customers,
        cast(reactivated_customers as integer) as reactivated_customers,
        cast(customers_start - retained_customers as integer) as churned_customers,
        {{ safe_divide('retained_customers', 'customers_start') }} as retention_rate,
        {{ safe_divide('customers_start - retained_customers', 'customers_start') }} as churn_rate,
        cast(purchases_count as integer) as purchases_count,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        {{ safe_divide('net_revenue', 'purchases_count') }} as average_order_value,
        {{ safe_divide('net_revenue', 'customers_end') }} as arpu,
        cast(customers_with_purchase_to_date as integer) as customers_with_purchase_to_date,
        cast(customers_with_repeat_purchase_to_date as integer) as customers_with_repeat_purchase_to_date,
        {{ safe_divide('customers_with_repeat_purchase_to_date', 'customers_with_purchase_to_date') }}
            as repeat_purchase_rate

    from cumulated

)

select * from final
