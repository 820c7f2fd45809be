{#
    The distinct purchase histories (x, t_x, T in days) of the customers with a purchase: what the
    expected-purchases step computes on (int_clv_histories_predicted), a few thousand rows however
    many customers there are. t_x is 0 when x = 0 (it plays no part then).
#}
with

inputs as (

    select * from {{ ref('int_clv_inputs_summarized') }}

),

final as (

    select distinct
        repeat_purchase_days as x,
        case when repeat_purchase_days > 0 then purchase_span_days else 0 end as t_x,
        customer_age_days as t

    from inputs

)

select * from final
