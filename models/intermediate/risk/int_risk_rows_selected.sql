{#
    The (snapshot date, customer) rows the churn-risk model looks at, chosen before any feature is
    computed so that features are built for these rows only, not for every customer on every date:
    - on a scored date (as_of_date and the backtest dates) every customer of the population;
    - the training rows: population rows whose outcome is known, at most `risk_training_max_rows`
      of them (default 250,000). Above that, a deterministic stratified sample: within each snapshot
      date and outcome the same share of rows is kept (the first by a hash of the customer and
      date), and each kept row weighs stratum rows / kept rows, so the weighted sample has the
      population's mix of dates and outcomes. Below it every row is kept with weight 1, and the fit
      is the fit on every row.
#}

with

purchases as (

    select * from {{ ref('int_customer_purchases_snapshotted') }}

),

snapshots as (

    select * from {{ ref('int_risk_snapshots_enumerated') }}

),

population as (

    select
        purchases.snapshot_date,
        purchases.customer_id,
        purchases.outcome_no_purchase,
        snapshots.is_scored_date

    from purchases
    inner join snapshots
        on purchases.snapshot_date = snapshots.snapshot_date
    where purchases.is_in_population

),

known_outcomes as (

    select * from population
    where outcome_no_purchase is not null

),

sampling as (

    select least(1.0, {{ var('risk_training_max_rows') }} / greatest(count(*), 1)) as keep_share

    from known_outcomes

),

ranked as (

    select
        known_outcomes.snapshot_date,
        known_outcomes.customer_id,
        count(*) over (
            partition by known_outcomes.snapshot_date, known_outcomes.outcome_no_purchase
        ) as stratum_rows,
        row_number() over (
            partition by known_outcomes.snapshot_date, known_outcomes.outcome_no_purchase
            order by {{ dbt.hash(dbt.concat([
                "known_outcomes.customer_id", "':'", "cast(known_outcomes.snapshot_date as " ~ dbt.type_string() ~ ")",
            ])) }}, known_outcomes.customer_id
        ) as stratum_rank,
        sampling.keep_share

    from known_outcomes
    cross join sampling

),

kept as (

    select
        ranked.*,
        cast(ceil(ranked.stratum_rows * ranked.keep_share) as integer) as stratum_kept

    from ranked

),

training_rows as (

    select
        snapshot_date,
        customer_id,
        cast(stratum_rows as {{ type_double() }}) / stratum_kept as sample_weight

    from kept
    where stratum_rank <= stratum_kept

),

final as (

    select
        population.snapshot_date,
        population.customer_id,
        population.is_scored_date as is_scored,
        training_rows.sample_weight is not null as is_training_row,
        training_rows.sample_weight

    from population
    left join training_rows
        on
            population.snapshot_date = training_rows.snapshot_date
            and population.customer_id = training_rows.customer_id
    where population.is_scored_date or training_rows.sample_weight is not null

)

select * from final
