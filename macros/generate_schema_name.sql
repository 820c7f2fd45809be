{#
    Use a model's custom schema verbatim (`marts`, `staging`, ...) instead of dbt's default
    `<target schema>_<custom schema>`, so BI tools always read `marts.<table>`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
