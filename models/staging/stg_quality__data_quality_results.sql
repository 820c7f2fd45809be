with

source as (

    select * from {{ source('quality', 'data_quality_results') }}

),

renamed as (

    select
        cast(table_name as {{ dbt.type_string() }}) as table_name,
        cast(file_name as {{ dbt.type_string() }}) as file_name,
        cast(rule as {{ dbt.type_string() }}) as rule_name,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        cast(level as {{ dbt.type_string() }}) as rule_level,
        cast(outcome as {{ dbt.type_string() }}) as outcome,
        cast(failing_rows as bigint) as failing_rows,
        cast(total_rows as bigint) as total_rows,
        cast(examples as {{ dbt.type_string() }}) as example_values,
        cast(load_at as {{ dbt.type_timestamp() }}) as loaded_at

    from source

)

select * from renamed
