{#
    Text normalisation for keyword matching, written once so comments and keywords are
    normalised the same way: lowercase, accents stripped, every run of characters other than
    letters and digits turned into one space, and a space on each side. A keyword then matches
    on word boundaries with a plain LIKE '% keyword %', on every engine.
#}
{% macro normalize_for_matching(text_expression) -%}
    concat(' ', trim({{ replace_non_alphanumeric(strip_accents_lower(text_expression)) }}), ' ')
{%- endmacro %}

{% macro strip_accents_lower(text_expression) -%}
    {{ return(adapter.dispatch('strip_accents_lower')(text_expression)) }}
{%- endmacro %}

{% macro default__strip_accents_lower(text_expression) -%}
    translate(
        lower({{ text_expression }}),
        'àáâãäåāçćčèéêëēėęìíîïīłñńòóôõöøōœùúûüūÿýžźż',
        'aaaaaaaccceeeeeeeiiiiilnnoooooooouuuuuyyzzz'
    )
{%- endmacro %}

{% macro duckdb__strip_accents_lower(text_expression) -%}
    strip_accents(lower({{ text_expression }}))
{%- endmacro %}

{% macro replace_non_alphanumeric(text_expression) -%}
    {{ return(adapter.dispatch('replace_non_alphanumeric')(text_expression)) }}
{%- endmacro %}

{% macro default__replace_non_alphanumeric(text_expression) -%}
    regexp_replace({{ text_expression }}, '[^a-z0-9]+', ' ', 'g')
{%- endmacro %}

{% macro spark__replace_non_alphanumeric(text_expression) -%}
    regexp_replace({{ text_expression }}, '[^a-z0-9]+', ' ')
{%- endmacro %}
