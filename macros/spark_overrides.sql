{# Where dbt-spark's implementation of a dbt macro differs from DuckDB's results, the project's own. #}

{#
    Seeds on Spark's session connection: dbt-spark binds each CSV value as '<value>' text, so an empty
    cell becomes the string 'None' and a quote in a value breaks the insert. This override writes every
    value as a SQL literal (null for an empty cell, quotes doubled by escaping), the same rows DuckDB loads.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for col_name in agate_table.column_names -%}
                {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                {%- do values.append('cast(' ~ _seed_literal(row[loop.index0]) ~ ' as ' ~ type ~ ')') -%}
            {%- endfor -%}
            {%- do rows.append('(' ~ values | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ rows | join(', ') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro _seed_literal(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif value is number and value is not sameas true and value is not sameas false -%}
        {{ return(value | string) }}
    {%- else -%}
        {{ return("'" ~ (value | string) | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#
    dbt-spark's listagg ignores order_by_clause (with a warning), so a list's order would depend on the
    plan. Spark 4 has the standard form: listagg(...) within group (order by ...).
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with limit_num is not implemented for Spark in this project") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
