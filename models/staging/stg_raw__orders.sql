with

source as (

    select * from {{ source('raw', 'raw_orders') }}

),

renamed as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ parse_utc_timestamp('ordered_at') }} as ordered_at,
        {{ clean_enum('status') }} as order_status,
        {{ parse_amount('gross_amount') }} as gross_amount,
        {{ parse_amount('discount_amount') }} as discount_amount,
        {{ parse_integer('items_count') }} as items_count,
        {{ clean_enum('channel') }} as sales_channel

    from source

),

-- An order delivered twice keeps its latest version; the remaining columns break ties
-- so the result never depends on file order.
ranked as (

    select
        *,
        row_number() over (
            partition by order_id
            order by
                ordered_at desc,
                order_status desc,
                customer_id desc,
                gross_amount desc,
                discount_amount desc,
                items_count desc,
                sales_channel desc
        ) as version_rank

    from renamed

),

deduplicated as (

    select
        order_id,
        customer_id,
        ordered_at,
        order_status,
        gross_amount,
        discount_amount,
        items_count,
        sales_channel

    from ranked
    where version_rank = 1

)

select * from deduplicated
