{# The model has exactly `expected` rows (e.g. a mapping seed that must cover every combination). #}
{% test row_count_equals(model, expected) %}

select row_count
from (select count(*) as row_count from {{ model }}) as counted
where row_count <> {{ expected }}

{% endtest %}
