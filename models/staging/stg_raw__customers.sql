with

source as (

    select * from {{ source('raw', 'raw_customers') }}

),

renamed as (

    select
        {{ clean_text('customer_id') }} as customer_id,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ parse_date('birth_date') }} as birth_date,
        {{ parse_utc_timestamp('signup_at') }} as signed_up_at,
        upper({{ clean_text('country') }}) as country_code,
        {{ clean_enum('acquisition_channel') }} as acquisition_channel,
        {{ parse_date('loyalty_member_since') }} as loyalty_member_since_date

    from source

),

-- A customer delivered twice keeps its latest version (latest signup timestamp); the
-- remaining columns break ties so the result never depends on file order.
ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by
                signed_up_at desc,
                email desc,
                first_name desc,
                last_name desc,
                birth_date desc,
                country_code desc,
                acquisition_channel desc,
                loyalty_member_since_date desc
        ) as version_rank

    from renamed

),

deduplicated as (

    select
        customer_id,
        email,
        first_name,
        last_name,
        birth_date,
        signed_up_at,
        country_code,
        acquisition_channel,
        loyalty_member_since_date

    from ranked
    where version_rank = 1

)

select * from deduplicated
