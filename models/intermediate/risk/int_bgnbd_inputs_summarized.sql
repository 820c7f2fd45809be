{#
    The BG/NBD inputs of every risk snapshot date, compressed: one row per snapshot date and
    distinct history (x repeat purchase days, t_x, T in days), with how many customers share it.
    Customers with the same history have the same likelihood, so a fit on these rows, weighted by
    customers, is the fit on every customer at a fraction of the rows (a few thousand per date).
#}
with

purchases as (

    select * from {{ ref('int_customer_purchases_snapshotted') }}

),

histories as (

    select
        snapshot_date,
        repeat_purchase_days as x,
        -- t_x plays no part when x = 0; zero it so such histories compress into one row.
        case when repeat_purchase_days > 0 then purchase_span_days else 0 end as t_x,
        tenure_days as t

    from purchases

),

final as (

    select
        snapshot_date,
        x,
        t_x,
        t,
        count(*) as customers

    from histories
    group by snapshot_date, x, t_x, t

)

select * from final
