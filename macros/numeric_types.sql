{#
    An 8-byte float on every engine. dbt.type_float() is a 4-byte `float` on DuckDB, too coarse
    for durations and money-weighted rates.
#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{# Hours from one timestamp to another as a double (null when either is null). #}
{% macro hours_between(start_timestamp, end_timestamp) -%}
    cast({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} as {{ type_double() }}) / 3600
{%- endmacro %}
