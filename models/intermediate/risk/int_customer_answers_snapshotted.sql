{#
    The latest NPS and latest CSAT answer of the customers of int_customer_snapshots_listed as they
    stood on each of their snapshot dates (the
    latest by time, a tie going to the larger response_id), read from the customer's answers by an
    as-of join (macro asof_left_join) instead of ranking every earlier answer again per date.
#}
with

listed as (

    select * from {{ ref('int_customer_snapshots_listed') }}

),

responses as (

    select * from {{ ref('int_survey_responses_enriched') }}

),

-- The last answer of each customer, survey type and day: what a snapshot on that day or later can see.
daily_last_answers as (

    select
        customer_id,
        survey_type,
        responded_date,
        responded_at,
        score,
        nps_category,
        is_csat_low

    from (
        select
            *,
            row_number() over (
                partition by customer_id, survey_type, responded_date
                order by responded_at desc, response_id desc
            ) as day_rank
        from responses
    ) as ranked
    where day_rank = 1

),

nps_answers as (

    select * from daily_last_answers
    where survey_type = 'nps'

),

csat_answers as (

    select * from daily_last_answers
    where survey_type = 'csat'

),

first_answers as (

    select
        customer_id,
        min(responded_date) as first_answer_date

    from responses
    group by customer_id

),

probes as (

    select
        listed.snapshot_date,
        listed.customer_id

    from listed
    inner join first_answers
        on
            listed.customer_id = first_answers.customer_id
            and listed.snapshot_date >= first_answers.first_answer_date

),

with_nps as (

    {{ asof_left_join(
        'probes', 'customer_id', 'snapshot_date', 'nps_answers', 'customer_id', 'responded_date',
        ['score', 'nps_category', 'responded_at'], 'nps_',
    ) }}

),

with_csat as (

    {{ asof_left_join(
        'with_nps', 'customer_id', 'snapshot_date', 'csat_answers', 'customer_id', 'responded_date',
        ['score', 'responded_at', 'is_csat_low'], 'csat_',
    ) }}

),

final as (

    select
        snapshot_date,
        customer_id,
        nps_score as latest_nps_score,
        nps_nps_category as latest_nps_category,
        nps_responded_at as latest_nps_responded_at,
        csat_score as latest_csat_score,
        csat_responded_at as latest_csat_responded_at,
        coalesce(csat_is_csat_low, false) as is_latest_csat_low

    from with_csat

)

select * from final
