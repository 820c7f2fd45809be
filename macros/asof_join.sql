{#
    The as-of join: for each row of `probes`, the columns of the latest row of `history` of the same
    key at or before the probe's time (nulls when there is none). The snapshot models use it to read
    a customer's cumulative state on a date instead of re-aggregating their whole history per date.
    `columns` are history columns, returned as `<prefix><column>`.
#}
{% macro asof_left_join(probes, probe_key, probe_time, history, history_key, history_time, columns, prefix) -%}
    {{ return(adapter.dispatch('asof_left_join')(
        probes, probe_key, probe_time, history, history_key, history_time, columns, prefix
    )) }}
{%- endmacro %}

{# DuckDB: the ASOF join, one sort-merge pass over both sides. #}
{% macro duckdb__asof_left_join(probes, probe_key, probe_time, history, history_key, history_time, columns, prefix) -%}
    select
        {{ probes }}.*,
        {%- for column in columns %}
        {{ history }}.{{ column }} as {{ prefix }}{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ probes }}
    asof left join {{ history }}
        on
            {{ probes }}.{{ probe_key }} = {{ history }}.{{ history_key }}
            and {{ probes }}.{{ probe_time }} >= {{ history }}.{{ history_time }}
{%- endmacro %}

{# Any engine: join every earlier history row, keep the latest (correct, but quadratic in history per key). #}
{% macro default__asof_left_join(probes, probe_key, probe_time, history, history_key, history_time, columns, prefix) -%}
    select * from (
        {{ _asof_ranked(probes, probe_key, probe_time, history, history_key, history_time, columns, prefix) }}
    ) as ranked
    where {{ prefix }}asof_rank = 1
{%- endmacro %}

{# Spark: the same, without the rank column (a second as-of join with the same prefix would repeat it). #}
{% macro spark__asof_left_join(probes, probe_key, probe_time, history, history_key, history_time, columns, prefix) -%}
    select * except ({{ prefix }}asof_rank) from (
        {{ _asof_ranked(probes, probe_key, probe_time, history, history_key, history_time, columns, prefix) }}
    ) as ranked
    where {{ prefix }}asof_rank = 1
{%- endmacro %}

{# Every probe with every earlier history row of its key, ranked latest first (<prefix>asof_rank). #}
{% macro _asof_ranked(probes, probe_key, probe_time, history, history_key, history_time, columns, prefix) -%}
    select
        {{ probes }}.*,
        {%- for column in columns %}
        {{ history }}.{{ column }} as {{ prefix }}{{ column }},
        {%- endfor %}
        row_number() over (
            partition by {{ probes }}.{{ probe_key }}, {{ probes }}.{{ probe_time }}
            order by {{ history }}.{{ history_time }} desc
        ) as {{ prefix }}asof_rank
    from {{ probes }}
    left join {{ history }}
        on
            {{ probes }}.{{ probe_key }} = {{ history }}.{{ history_key }}
            and {{ probes }}.{{ probe_time }} >= {{ history }}.{{ history_time }}
{%- endmacro %}
