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
    ISO-8601 text -> timestamp in UTC (no time zone). `2024-02-29 23:59:59` and `2024-02-29T23:59:59Z`
    are UTC; a value with an offset or zone (`2024-02-29T23:59:59+02:00`) is converted to UTC
    (21:59:59). Anything else fails the cast loudly rather than becoming null; the gate's parser
    (quality_gates/typing_rules.py) quarantines such values first, with the same cast.
#}
{% macro parse_utc_timestamp(column_name) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp')(column_name)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(column_name) -%}
    cast(replace(replace({{ clean_text(column_name) }}, 'T', ' '), 'Z', '') as {{ dbt.type_timestamp() }})
{%- endmacro %}

{# DuckDB reads the offset or zone itself; text without one is in the session zone, UTC (profiles.yml). #}
{% macro duckdb__parse_utc_timestamp(column_name) -%}
    (cast({{ clean_text(column_name) }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{#
    Money text -> decimal(18, 2); count text -> integer. These casts round (2.5 -> 3, 1.005 -> 1.01)
    or fail (NaN, 3000000000); the gate quarantines every value they would change or reject first.
#}
{% macro parse_amount(column_name) -%}
    cast({{ clean_text(column_name) }} as decimal(18, 2))
{%- endmacro %}

{% macro parse_integer(column_name) -%}
    cast({{ clean_text(column_name) }} as integer)
{%- endmacro %}

{# `YYYY-MM-DD` text -> date. #}
{% macro parse_date(column_name) -%}
    cast({{ clean_text(column_name) }} as date)
{%- endmacro %}
