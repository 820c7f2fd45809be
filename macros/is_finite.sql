{# True for a number that is neither null, NaN nor infinite. #}
{% macro is_finite(value) -%}
    {{ return(adapter.dispatch('is_finite')(value)) }}
{%- endmacro %}

{% macro default__is_finite(value) -%}
    coalesce({{ value }} = {{ value }} and abs({{ value }}) < cast('Infinity' as {{ type_double() }}), false)
{%- endmacro %}

{% macro duckdb__is_finite(value) -%}
    coalesce(isfinite({{ value }}), false)
{%- endmacro %}
