{# numerator / denominator as a double; null (not an error, not zero) when the denominator is 0. #}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
