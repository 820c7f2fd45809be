{# What the gates found in the delivery this warehouse was built from: one row per table and rule. #}
with

results as (

    select * from {{ ref('stg_quality__data_quality_results') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        results.table_name,
        results.file_name,
        results.rule_name,
        results.column_name,
        results.rule_level,
        results.outcome,
        cast(results.failing_rows as integer) as failing_rows,
        cast(results.total_rows as integer) as total_rows,
        {{ safe_divide('results.failing_rows', 'results.total_rows') }} as failing_share,
        results.example_values,
        results.loaded_at,
        parameters.as_of_date

    from results
    cross join parameters

)

select * from final
