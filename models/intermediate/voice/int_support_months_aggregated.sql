{#
    Monthly support performance, for all tickets and per ticket_category and ticket_priority,
    zero-filled for every value and reporting month. Each measure counts the tickets whose
    event falls in the month: created (volume), first response (response times and their
    service level), resolution (resolution times and their service level); the backlog is the
    tickets open on the month's end day. Service levels are the vars sla_first_response_hours
    (default 24) and sla_resolution_hours (default 72).
#}
with

tickets as (

    select * from {{ ref('int_support_tickets_enriched') }}

),

months as (

    select * from {{ ref('int_months_enumerated') }}

),

dimensions as (

    select 'all' as dimension
    union all
    select 'ticket_category' as dimension
    union all
    select 'ticket_priority' as dimension

),

ticket_segments as (

    select
        tickets.*,
        cast({{ dbt.date_trunc('month', 'tickets.created_date') }} as date) as created_month,
        cast({{ dbt.date_trunc('month', 'tickets.first_responded_at') }} as date) as first_responded_month,
        cast({{ dbt.date_trunc('month', 'tickets.resolved_at') }} as date) as resolved_month,
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'ticket_category' then tickets.ticket_category
            else tickets.ticket_priority
        end as dimension_value

    from tickets
    cross join dimensions

),

created as (

    select
        dimension,
        dimension_value,
        created_month as month,
        count(*) as tickets_created

    from ticket_segments
    group by dimension, dimension_value, created_month

),

responded as (

    select
        dimension,
        dimension_value,
        first_responded_month as month,
        count(*) as tickets_first_responded,
        {{ percentile_cont('first_response_hours', 0.5) }} as median_first_response_hours,
        {{ percentile_cont('first_response_hours', 0.9) }} as p90_first_response_hours,
        sum(
            case when first_response_hours <= {{ var('sla_first_response_hours') }} then 1 else 0 end
        ) as first_responses_within_sla

    from ticket_segments
    where first_responded_at is not null
    group by dimension, dimension_value, first_responded_month

),

resolved as (

    select
        dimension,
        dimension_value,
        resolved_month as month,
        count(*) as tickets_resolved,
        {{ percentile_cont('resolution_hours', 0.5) }} as median_resolution_hours,
        {{ percentile_cont('resolution_hours', 0.9) }} as p90_resolution_hours,
        sum(case when resolution_hours <= {{ var('sla_resolution_hours') }} then 1 else 0 end) as resolutions_within_sla

    from ticket_segments
    where resolved_at is not null
    group by dimension, dimension_value, resolved_month

),

-- Open on the month's end day: created by then and not resolved by then.
backlog as (

    select
        ticket_segments.dimension,
        ticket_segments.dimension_value,
        months.month,
        count(*) as open_tickets_at_month_end

    from ticket_segments
    inner join months
        on
            ticket_segments.created_date <= months.month_end_date
            and (
                ticket_segments.resolved_at is null or cast(ticket_segments.resolved_at as date) > months.month_end_date
            )
    group by ticket_segments.dimension, ticket_segments.dimension_value, months.month

),

segment_months as (

    {{ segment_month_spine('ticket_segments', 'months') }}

),

final as (

    select
        segment_months.dimension,
        segment_months.dimension_value,
        segment_months.month,
        segment_months.month_end_date,
        cast(coalesce(created.tickets_created, 0) as integer) as tickets_created,
        cast(coalesce(resolved.tickets_resolved, 0) as integer) as tickets_resolved,
        cast(coalesce(backlog.open_tickets_at_month_end, 0) as integer) as open_tickets_at_month_end,
        cast(coalesce(responded.tickets_first_responded, 0) as integer) as tickets_first_responded,
        cast(responded.median_first_response_hours as {{ type_double() }}) as median_first_response_hours,
        cast(responded.p90_first_response_hours as {{ type_double() }}) as p90_first_response_hours,
        {{ safe_divide('responded.first_responses_within_sla', 'responded.tickets_first_responded') }}
            as first_response_sla_rate,
        cast(resolved.median_resolution_hours as {{ type_double() }}) as median_resolution_hours,
        cast(resolved.p90_resolution_hours as {{ type_double() }}) as p90_resolution_hours,
        {{ safe_divide('resolved.resolutions_within_sla', 'resolved.tickets_resolved') }} as resolution_sla_rate

    from segment_months
    left join created
        on
            segment_months.dimension = created.dimension
            and segment_months.dimension_value = created.dimension_value
            and segment_months.month = created.month
    left join responded
        on
            segment_months.dimension = responded.dimension
            and segment_months.dimension_value = responded.dimension_value
            and segment_months.month = responded.month
    left join resolved
        on
            segment_months.dimension = resolved.dimension
            and segment_months.dimension_value = resolved.dimension_value
            and segment_months.month = resolved.month
    left join backlog
        on
            segment_months.dimension = backlog.dimension
            and segment_months.dimension_value = backlog.dimension_value
            and segment_months.month = backlog.month

)

select * from final
