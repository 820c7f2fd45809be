with

fitted as (

    select * from {{ ref('int_clv_models_fitted') }}

),

final as (

    select
        cast(model as {{ dbt.type_string() }}) as model,
        cast(parameter as {{ dbt.type_string() }}) as parameter,
        cast(value as {{ type_double() }}) as value,
        cast(log_likelihood as {{ type_double() }}) as log_likelihood,
        cast(customer_count as integer) as customer_count,
        cast(is_converged as boolean) as is_converged,
        cast(fit_status as {{ dbt.type_string() }}) as fit_status,
        cast(as_of_date as date) as as_of_date

    from fitted

)

select * from final
