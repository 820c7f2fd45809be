{#
    The (snapshot date, customer) pairs whose service signals are needed: on as_of_date every
    customer with an order, ticket or survey answer by then (int_customer_signals_aggregated, purchase
    or not), on the other risk snapshot dates the rows the churn-risk model looks at
    (int_risk_rows_selected). The ticket, answer and signal snapshots are taken for these pairs
    only, not for every customer on every date.
#}

with

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

risk_rows as (

    select * from {{ ref('int_risk_rows_selected') }}

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

records as (

    select
        customer_id,
        ordered_date as record_date
    from orders
    union all
    select
        customer_id,
        created_date as record_date
    from tickets
    union all
    select
        customer_id,
        responded_date as record_date
    from responses

),

first_records as (

    select
        customer_id,
        min(record_date) as first_record_date

    from records
    group by customer_id

),

as_of_date_customers as (

    select
        snapshots.snapshot_date,
        first_records.customer_id

    from snapshots
    inner join first_records
        on snapshots.snapshot_date >= first_records.first_record_date
    where snapshots.is_as_of_date

),

final as (

    select
        snapshot_date,
        customer_id
    from as_of_date_customers
    union
    select
        snapshot_date,
        customer_id
    from risk_rows

)

select * from final
