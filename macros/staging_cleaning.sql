{#
    The few cleaning rules every staging model applies, written once.
#}

{# Trimmed text; empty strings become null (CSV has no other way to say null). #}
{% macro clean_text(column_name) -%}
    nullif(trim({{ column_name }}), '')
{%- endmacro %}

{# Enum values compare lowercase and trimmed: ' Completed ' -> 'completed'. #}
{% macro clean_enum(column_name) -%}
    lower({{ clean_text(column_name) }})
{%- endmacro %}

{#
    ISO-8601 UTC text -> timestamp (UTC, no time zone). Accepts `2024-02-29 23:59:59` and
    `2024-02-29T23:59:59Z`; anything else fails the cast loudly rather than becoming null.
#}
{% macro parse_utc_timestamp(column_name) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp')(column_name)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(column_name) -%}
    cast(replace(replace({{ clean_text(column_name) }}, 'T', ' '), 'Z', '') as {{ dbt.type_timestamp() }})
{%- endmacro %}

{# `YYYY-MM-DD` text -> date. #}
{% macro parse_date(column_name) -%}
    cast({{ clean_text(column_name) }} as date)
{%- endmacro %}
