{# Every row satisfies a boolean SQL expression (an identity between columns, say). #}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
