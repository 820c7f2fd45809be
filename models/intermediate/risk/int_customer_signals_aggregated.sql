{#
    Service and order signals per customer as of as_of_date, the link between complaints and
    churn: as_of_date's slice of int_customer_signals_snapshotted (every customer with an order,
    ticket or survey answer by then, purchase or not).
#}
with

signals as (

    select * from {{ ref('int_customer_signals_snapshotted') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        signals.customer_id,
        signals.tickets_count,
        signals.open_tickets_count,
        signals.recent_tickets_count,
        signals.recent_returns_count,
        signals.recent_failed_payments_count,
        signals.latest_nps_score,
        signals.latest_nps_category,
        signals.latest_nps_responded_at,
        signals.latest_csat_score,
        signals.latest_csat_responded_at

    from signals
    inner join parameters
        on signals.snapshot_date = parameters.as_of_date

)

select * from final
