{#
    A ticket still open at end_at is past its service level when it has waited longer than
    sla_resolution_hours, or is still unanswered after sla_first_response_hours. The one place
    this rule is written: the service signals of every snapshot and the service-recovery queue
    use it.
#}
{% macro is_past_service_level(created_at, is_unanswered, end_at) -%}
    (
        {{ hours_between(created_at, end_at) }} > {{ var('sla_resolution_hours') }}
        or ({{ is_unanswered }} and {{ hours_between(created_at, end_at) }} > {{ var('sla_first_response_hours') }})
    )
{%- endmacro %}
