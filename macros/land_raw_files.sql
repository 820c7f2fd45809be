{#
    Land the four raw files of RETENTION_LANDING_DIR (the validated delivery, set by the refresh job)
    or else RETENTION_RAW_DIR (a plain `dbt build`) as text views in the `raw` schema.

    Why: the raw contract allows each table as CSV or Parquet. Landing every column as text
    makes the two formats identical for staging, which then does all typing in one place.
    Views, not tables: staging (tables) reads each file once, so a copy of every raw row in the
    build file would only cost a write of the whole delivery.
    Only the contract's columns (declared in models/staging/_raw__sources.yml) are landed:
    a missing column stops the run with an error naming the file and the column; an extra
    column is reported and ignored.

    On engines other than DuckDB the raw tables are expected to be loaded by an EL tool,
    so the default implementation does nothing.
#}
{% macro land_raw_files() -%}
    {{ return(adapter.dispatch('land_raw_files')()) }}
{%- endmacro %}

{% macro default__land_raw_files() -%}
    select 1
{%- endmacro %}

{% macro duckdb__land_raw_files() -%}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set raw_dir = env_var('RETENTION_LANDING_DIR', env_var('RETENTION_RAW_DIR', 'data/sample')) | replace("'", "''") -%}
    {%- set statements = ['create schema if not exists raw'] -%}
    {%- for source_node in graph.sources.values() if source_node.source_name == 'raw' -%}
        {%- set table = source_node.name -%}
        {%- set raw_file = _raw_file_of(raw_dir, table) -%}
        {%- set reader = _raw_reader(raw_file) -%}
        {%- set found_columns = run_query('select * from ' ~ reader ~ ' limit 0').column_names -%}
        {%- set contract_columns = source_node.columns.keys() | list -%}
        {%- set missing = contract_columns | reject('in', found_columns) | list -%}
        {%- set extra = found_columns | reject('in', contract_columns) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "Raw file " ~ raw_file ~ " (table " ~ table ~ "): required column(s) "
                ~ missing | join(', ') ~ " missing (rule: raw data contract). Columns found: "
                ~ found_columns | join(', ')) }}
        {%- endif -%}
        {%- if extra -%}
            {{ log("WARNING: raw file " ~ raw_file ~ " has column(s) outside the contract, ignored: "
                   ~ extra | join(', '), info=true) }}
        {%- endif -%}
        {%- set select_list = [] -%}
        {%- for column in contract_columns -%}
            {%- do select_list.append('cast(' ~ adapter.quote(column) ~ ' as varchar) as ' ~ adapter.quote(column)) -%}
        {%- endfor -%}
        {#- A build file from before raw tables were views holds them as tables: replace those. -#}
        {%- set existing = run_query(
            "select table_type from information_schema.tables where table_schema = 'raw' and table_name = '"
            ~ table ~ "'") -%}
        {%- if existing.rows and existing.rows[0][0] == 'BASE TABLE' -%}
            {%- do statements.append('drop table raw.' ~ table) -%}
        {%- endif -%}
        {%- do statements.append(
            'create or replace view raw.' ~ table ~ ' as select ' ~ select_list | join(', ')
            ~ ' from ' ~ reader) -%}
    {%- endfor -%}
    {%- do statements.extend(_quality_statements(raw_dir)) -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{#
    The gates' output next to a validated delivery (quality_gates): quality/data_quality_results
    and quality/quarantine_<table>, landed in schema `quality`, and the load manifest load.json
    (refresh/landing.py: the run that landed the delivery, its fingerprint and load time) as
    quality.load_manifest, the build file's proof of whose delivery it holds, which the publish
    checks. A plain `dbt build` on raw files has no gate output: the tables are then created empty,
    so the data_quality_report says so and such a build can only be published without an owner.
#}
{% macro _quality_statements(raw_dir) -%}
    {%- set statements = ['create schema if not exists quality'] -%}
    {%- set load_file = raw_dir ~ '/load.json' -%}
    {%- set load_columns = "{'run_id': 'varchar', 'delivery_fingerprint': 'varchar', 'raw_dir': 'varchar', "
        ~ "'load_time': 'varchar'}" -%}
    {%- if _file_exists(load_file) -%}
        {%- do statements.append("create or replace table quality.load_manifest as select * from read_json('"
            ~ load_file ~ "', columns = " ~ load_columns ~ ")") -%}
    {%- else -%}
        {%- do statements.append("create or replace table quality.load_manifest as select * from "
            ~ "(select null::varchar as run_id, null::varchar as delivery_fingerprint, null::varchar as raw_dir, "
            ~ "null::varchar as load_time) where false") -%}
    {%- endif -%}
    {%- set results_file = raw_dir ~ '/quality/data_quality_results.parquet' -%}
    {%- if _file_exists(results_file) -%}
        {%- do statements.append("create or replace table quality.data_quality_results as select * from read_parquet('"
            ~ results_file ~ "')") -%}
    {%- else -%}
        {%- do statements.append(
            'create or replace table quality.data_quality_results (table_name varchar, file_name varchar, '
            ~ 'rule varchar, column_name varchar, level varchar, outcome varchar, failing_rows bigint, '
            ~ 'total_rows bigint, examples varchar, load_at timestamp)') -%}
    {%- endif -%}
    {%- for source_node in graph.sources.values() if source_node.source_name == 'raw' -%}
        {%- set quarantine_file = raw_dir ~ '/quality/quarantine_' ~ source_node.name ~ '.parquet' -%}
        {%- if _file_exists(quarantine_file) -%}
            {%- do statements.append('create or replace table quality.quarantine_' ~ source_node.name
                ~ " as select * from read_parquet('" ~ quarantine_file ~ "')") -%}
        {%- else -%}
            {%- set columns = [] -%}
            {%- for column in source_node.columns.keys() -%}
                {%- do columns.append(adapter.quote(column) ~ ' varchar') -%}
            {%- endfor -%}
            {%- do statements.append('create or replace table quality.quarantine_' ~ source_node.name ~ ' ('
                ~ columns | join(', ') ~ ', failed_rules varchar, load_at timestamp)') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{% macro _file_exists(path) -%}
    {%- set found = run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] -%}
    {{ return(found > 0) }}
{%- endmacro %}

{# The one file of `table` in raw_dir: <table>.csv or <table>.parquet, never both, never none. #}
{% macro _raw_file_of(raw_dir, table) -%}
    {%- set found = run_query(
        "select file from glob('" ~ raw_dir ~ "/" ~ table ~ ".*') "
        ~ "where lower(file) like '%.csv' or lower(file) like '%.parquet' order by file"
    ).columns[0].values() | list -%}
    {%- if found | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Raw table " ~ table ~ " not found: expected " ~ raw_dir ~ "/" ~ table
            ~ ".csv or .parquet (set RETENTION_RAW_DIR to the folder of raw files)") }}
    {%- elif found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Raw table " ~ table ~ " is delivered more than once in " ~ raw_dir ~ ": "
            ~ found | join(', ') ~ " (rule: one file per table, CSV or Parquet)") }}
    {%- endif -%}
    {{ return(found[0]) }}
{%- endmacro %}

{# A DuckDB table function reading the file as the contract describes: header, UTF-8, RFC 4180, all text. #}
{% macro _raw_reader(raw_file) -%}
    {%- set path = raw_file | replace("'", "''") -%}
    {%- if raw_file.lower().endswith('.parquet') -%}
        {{ return("read_parquet('" ~ path ~ "')") }}
    {%- else -%}
        {{ return("read_csv('" ~ path ~ "', header = true, delim = ',', quote = '\"', escape = '\"', "
                  ~ "encoding = 'utf-8', all_varchar = true, strict_mode = true)") }}
    {%- endif -%}
{%- endmacro %}
