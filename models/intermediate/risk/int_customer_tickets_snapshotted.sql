{#
    The support tickets of the customers of int_customer_snapshots_listed as they stood on each
    of their snapshot dates: tickets created up to it, those of them created in the last `recent_activity_days` days, those still open (no
    resolution by the end of the day) and those of them past their service level (macro
    is_past_service_level). Counts come from running totals read by as-of joins (macro
    asof_left_join); only the tickets open on a date are looked at one by one.
#}
with

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

listed as (

    select * from {{ ref('int_customer_snapshots_listed') }}

),

tickets as (

    select * from {{ ref('int_support_tickets_enriched') }}

),

windows as (

    select
        snapshot_date,
        cast({{ dbt.dateadd('day', -var('recent_activity_days'), 'snapshot_date') }} as date) as recent_cutoff_date,
        {{ dbt.dateadd('day', 1, 'snapshot_date') }} as snapshot_end_at

    from snapshots

),

created_running as (

    select
        customer_id,
        created_date,
        sum(count(*)) over (
            partition by customer_id order by created_date rows between unbounded preceding and current row
        ) as created_to_date

    from tickets
    group by customer_id, created_date

),

resolved_running as (

    select
        customer_id,
        cast(resolved_at as date) as resolved_date,
        sum(count(*)) over (
            partition by customer_id order by cast(resolved_at as date)
            rows between unbounded preceding and current row
        ) as resolved_to_date

    from tickets
    where resolved_at is not null
    group by customer_id, cast(resolved_at as date)

),

first_tickets as (

    select
        customer_id,
        min(created_date) as first_ticket_date

    from tickets
    group by customer_id

),

probes as (

    select
        windows.snapshot_date,
        windows.recent_cutoff_date,
        first_tickets.customer_id

    from listed
    inner join windows
        on listed.snapshot_date = windows.snapshot_date
    inner join first_tickets
        on
            listed.customer_id = first_tickets.customer_id
            and listed.snapshot_date >= first_tickets.first_ticket_date

),

at_snapshot as (

    {{ asof_left_join(
        'probes', 'customer_id', 'snapshot_date', 'created_running', 'customer_id', 'created_date',
        ['created_to_date'], 'snapshot_',
    ) }}

),

at_recent_cutoff as (

    {{ asof_left_join(
        'at_snapshot', 'customer_id', 'recent_cutoff_date', 'created_running', 'customer_id', 'created_date',
        ['created_to_date'], 'cutoff_',
    ) }}

),

with_resolved as (

    {{ asof_left_join(
        'at_recent_cutoff', 'customer_id', 'snapshot_date', 'resolved_running', 'customer_id', 'resolved_date',
        ['resolved_to_date'], 'snapshot_',
    ) }}

),

-- Tickets open at the end of a snapshot date (a resolution after it had not happened), one by one.
overdue as (

    select
        windows.snapshot_date,
        tickets.customer_id,
        count(*) as overdue_open_tickets_count

    from windows
    inner join tickets
        on
            windows.snapshot_date >= tickets.created_date
            and (tickets.resolved_at is null or windows.snapshot_end_at <= tickets.resolved_at)
    where {{ is_past_service_level(
        'tickets.created_at',
        '(tickets.first_responded_at is null or tickets.first_responded_at >= windows.snapshot_end_at)',
        'windows.snapshot_end_at',
    ) }}
    group by windows.snapshot_date, tickets.customer_id

),

final as (

    select
        with_resolved.snapshot_date,
        with_resolved.customer_id,
        cast(with_resolved.snapshot_created_to_date as integer) as tickets_count,
        cast(
            with_resolved.snapshot_created_to_date - coalesce(with_resolved.snapshot_resolved_to_date, 0) as integer
        ) as open_tickets_count,
        cast(
            with_resolved.snapshot_created_to_date - coalesce(with_resolved.cutoff_created_to_date, 0) as integer
        ) as recent_tickets_count,
        cast(coalesce(overdue.overdue_open_tickets_count, 0) as integer) as overdue_open_tickets_count

    from with_resolved
    left join overdue
        on
            with_resolved.snapshot_date = overdue.snapshot_date
            and with_resolved.customer_id = overdue.customer_id

)

select * from final
