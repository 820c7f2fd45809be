{#
    The next yearly recurrence of a date (birthday, signup anniversary) on or after from_date.
    A 29 February recurs on 28 February in years that are not leap years.
#}
{% macro next_anniversary_date(date_expression, from_date_expression) -%}
    case
        when {{ _anniversary_in_year(date_expression, 'extract(year from ' ~ from_date_expression ~ ')') }}
            >= {{ from_date_expression }}
            then {{ _anniversary_in_year(date_expression, 'extract(year from ' ~ from_date_expression ~ ')') }}
        else {{ _anniversary_in_year(date_expression, 'extract(year from ' ~ from_date_expression ~ ') + 1') }}
    end
{%- endmacro %}

{% macro _anniversary_in_year(date_expression, year_expression) -%}
    {{ make_date(
        year_expression,
        'extract(month from ' ~ date_expression ~ ')',
        'case when extract(month from ' ~ date_expression ~ ') = 2 and extract(day from ' ~ date_expression
            ~ ') = 29 and not ' ~ _is_leap_year(year_expression) ~ ' then 28 else extract(day from '
            ~ date_expression ~ ') end'
    ) }}
{%- endmacro %}

{% macro _is_leap_year(year_expression) -%}
    (mod(cast({{ year_expression }} as integer), 4) = 0
    and (mod(cast({{ year_expression }} as integer), 100) <> 0 or mod(cast({{ year_expression }} as integer), 400) = 0))
{%- endmacro %}

{# A date from year, month and day numbers. #}
{% macro make_date(year_expression, month_expression, day_expression) -%}
    {{ return(adapter.dispatch('make_date')(year_expression, month_expression, day_expression)) }}
{%- endmacro %}

{% macro default__make_date(year_expression, month_expression, day_expression) -%}
    make_date(
        cast({{ year_expression }} as integer),
        cast({{ month_expression }} as integer),
        cast({{ day_expression }} as integer)
    )
{%- endmacro %}
