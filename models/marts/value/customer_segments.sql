with

rfm as (

    select * from {{ ref('int_customer_rfm_scored') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

parameters as (

    select * from {{ ref('int_parameters_resolved') }}

),

final as (

    select
        rfm.customer_id,
        rfm.last_purchase_date,
        rfm.recency_days,
        rfm.frequency,
        rfm.monetary,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        {{ dbt.concat([
            dbt.cast('rfm.r_score', api.Column.translate_type('string')),
            dbt.cast('rfm.f_score', api.Column.translate_type('string')),
            dbt.cast('rfm.m_score', api.Column.translate_type('string')),
        ]) }} as rfm_score,
        rfm.rfm_segment,
        segments.segment_rank,
        parameters.as_of_date

    from rfm
    cross join parameters
    left join segments
        on rfm.rfm_segment = segments.rfm_segment
    where rfm.snapshot_date = parameters.as_of_date

)

select * from final
