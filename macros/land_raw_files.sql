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

    DuckDB reads the files with its table functions; Spark through external CSV / Parquet tables
    (raw.<table>__file) under the same views. On other engines the raw tables are expected to be
    loaded by an EL tool, so the default implementation does nothing.
#}
{% macro land_raw_files() -%}
    {{ return(adapter.dispatch('land_raw_files')()) }}
{%- endmacro %}

{% macro default__land_raw_files() -%}
    select 1
{%- endmacro %}

{% macro duckdb__land_raw_files() -%}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set raw_dir = _raw_dir() -%}
    {%- set statements = ['create schema if not exists raw'] -%}
    {%- set files = _files_in(raw_dir) -%}
    {%- for source_node in graph.sources.values() if source_node.source_name == 'raw' -%}
        {%- set table = source_node.name -%}
        {%- set raw_file = _raw_file_of(raw_dir, table, files) -%}
        {%- set reader = _raw_reader(raw_file) -%}
        {#- A build file from before raw tables were views holds them as tables: replace those. -#}
        {%- set existing = run_query(
            "select table_type from information_schema.tables where table_schema = 'raw' and table_name = '"
            ~ table ~ "'") -%}
        {%- if existing.rows and existing.rows[0][0] == 'BASE TABLE' -%}
            {%- do statements.append('drop table raw.' ~ table) -%}
        {%- endif -%}
        {%- do statements.append(_contract_view(source_node, raw_file, reader)) -%}
    {%- endfor -%}
    {%- do statements.extend(_quality_statements(raw_dir, files)) -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{#
    Spark has no table function over a file with options, so each file becomes an external table
    raw.<table>__file (Spark's CSV reader with the contract's dialect, every column text; or its Parquet
    reader) and raw.<table> the same contract view as on DuckDB. External: dropping it leaves the file.
#}
{% macro spark__land_raw_files() -%}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set raw_dir = _raw_dir() -%}
    {%- do run_query('create database if not exists raw') -%}
    {%- set files = _files_in(raw_dir) -%}
    {%- for source_node in graph.sources.values() if source_node.source_name == 'raw' -%}
        {%- set table = source_node.name -%}
        {%- set raw_file = _raw_file_of(raw_dir, table, files) -%}
        {%- set options = "path '" ~ _spark_absolute_path(raw_file) ~ "'" -%}
        {%- if raw_file.lower().endswith('.parquet') -%}
            {%- set format = 'parquet' -%}
        {%- else -%}
            {%- set format = 'csv' -%}
            {%- set options = options ~ ", header 'true', sep ',', quote '\"', escape '\"', encoding 'UTF-8', "
                ~ "multiLine 'true', inferSchema 'false', mode 'FAILFAST'" -%}
        {%- endif -%}
        {%- do run_query('drop view if exists raw.' ~ table) -%}
        {%- do run_query('drop table if exists raw.' ~ table ~ '__file') -%}
        {%- do run_query('create table raw.' ~ table ~ '__file using ' ~ format ~ ' options (' ~ options ~ ')') -%}
        {%- do run_query(_contract_view(source_node, raw_file, 'raw.' ~ table ~ '__file')) -%}
    {%- endfor -%}
    {%- for statement in _quality_statements(raw_dir, files) -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return('select 1') }}
{%- endmacro %}

{# The folder to land, without a trailing slash or a leading ./ (file listings name files without them). #}
{% macro _raw_dir() -%}
    {%- set raw_dir = env_var('RETENTION_LANDING_DIR', env_var('RETENTION_RAW_DIR', 'data/sample')) | replace("'", "''") -%}
    {%- set raw_dir = modules.re.sub('^(\\./)+', '', raw_dir) -%}
    {{ return(raw_dir.rstrip('/') or raw_dir) }}
{%- endmacro %}

{#
    The view raw.<table> over `reader`: the contract's columns as text. A missing column stops the run
    with an error naming the file and the column; an extra column is reported and ignored.
#}
{% macro _contract_view(source_node, raw_file, reader) -%}
    {%- set table = source_node.name -%}
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
        {%- do select_list.append('cast(' ~ adapter.quote(column) ~ ' as ' ~ type_string() ~ ') as '
            ~ adapter.quote(column)) -%}
    {%- endfor -%}
    {{ return('create or replace view raw.' ~ table ~ ' as select ' ~ select_list | join(', ') ~ ' from ' ~ reader) }}
{%- endmacro %}

{#
    The gates' output next to a validated delivery (quality_gates): quality/data_quality_results
    and quality/quarantine_<table>, landed in schema `quality`, and the load manifest load.json
    (refresh/landing.py: the run that landed the delivery, its fingerprint and load time) as
    quality.load_manifest, the build file's proof of whose delivery it holds, which the publish
    checks. A plain `dbt build` on raw files has no gate output: the tables are then created empty,
    so the data_quality_report says so and such a build can only be published without an owner.
#}
{% macro _quality_statements(raw_dir, files) -%}
    {%- set text = type_string() -%}
    {%- set statements = ['create schema if not exists quality'] -%}
    {%- do statements.append('drop table if exists quality.load_manifest') -%}
    {%- if 'load.json' in files -%}
        {%- do statements.append('create table quality.load_manifest as select cast(run_id as ' ~ text
            ~ ') as run_id, cast(delivery_fingerprint as ' ~ text ~ ') as delivery_fingerprint, cast(raw_dir as '
            ~ text ~ ') as raw_dir, cast(load_time as ' ~ text ~ ') as load_time from '
            ~ _json_object_reader(raw_dir ~ '/load.json')) -%}
    {%- else -%}
        {%- do statements.append('create table quality.load_manifest as select * from (select cast(null as ' ~ text
            ~ ') as run_id, cast(null as ' ~ text ~ ') as delivery_fingerprint, cast(null as ' ~ text
            ~ ') as raw_dir, cast(null as ' ~ text ~ ') as load_time) as no_load where 1 = 0') -%}
    {%- endif -%}
    {%- do statements.append('drop table if exists quality.data_quality_results') -%}
    {%- if 'quality/data_quality_results.parquet' in files -%}
        {%- do statements.append('create table quality.data_quality_results as select * from '
            ~ _parquet_reader(raw_dir ~ '/quality/data_quality_results.parquet')) -%}
    {%- else -%}
        {%- do statements.append(
            'create table quality.data_quality_results (table_name ' ~ text ~ ', file_name ' ~ text ~ ', '
            ~ 'rule ' ~ text ~ ', column_name ' ~ text ~ ', level ' ~ text ~ ', outcome ' ~ text ~ ', failing_rows '
            ~ type_bigint() ~ ', total_rows ' ~ type_bigint() ~ ', examples ' ~ text ~ ', load_at '
            ~ type_timestamp() ~ ')') -%}
    {%- endif -%}
    {%- for source_node in graph.sources.values() if source_node.source_name == 'raw' -%}
        {%- set quarantine = 'quality/quarantine_' ~ source_node.name ~ '.parquet' -%}
        {%- do statements.append('drop table if exists quality.quarantine_' ~ source_node.name) -%}
        {%- if quarantine in files -%}
            {%- do statements.append('create table quality.quarantine_' ~ source_node.name
                ~ ' as select * from ' ~ _parquet_reader(raw_dir ~ '/' ~ quarantine)) -%}
        {%- else -%}
            {%- set columns = [] -%}
            {%- for column in source_node.columns.keys() -%}
                {%- do columns.append(adapter.quote(column) ~ ' ' ~ text) -%}
            {%- endfor -%}
            {%- do statements.append('create table quality.quarantine_' ~ source_node.name ~ ' ('
                ~ columns | join(', ') ~ ', failed_rules ' ~ text ~ ', load_at ' ~ type_timestamp() ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{# The one file of `table` in raw_dir: <table>.csv or <table>.parquet, never both, never none. #}
{% macro _raw_file_of(raw_dir, table, files) -%}
    {%- set found = [] -%}
    {%- for name in files if name.lower() in [table ~ '.csv', table ~ '.parquet'] -%}
        {%- do found.append(raw_dir ~ '/' ~ name) -%}
    {%- endfor -%}
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

{# The files under raw_dir (its quality/ folder included), as paths relative to it, sorted. #}
{% macro _files_in(raw_dir) -%}
    {{ return(adapter.dispatch('_files_in')(raw_dir)) }}
{%- endmacro %}

{% macro duckdb___files_in(raw_dir) -%}
    {%- set paths = run_query("select file from glob('" ~ raw_dir ~ "/**') order by file").columns[0].values() -%}
    {{ return(paths | map('replace', raw_dir ~ '/', '', 1) | list) }}
{%- endmacro %}

{#
    Spark lists a folder with its binaryFile reader (the content column is never read). It names files by
    absolute URI; the folder's own absolute path comes from the JVM's working directory when it is relative.
#}
{% macro spark___files_in(raw_dir) -%}
    {%- set folder = _spark_absolute_path(raw_dir) ~ '/' -%}
    {%- do run_query("create or replace temporary view retention_raw_files using binaryFile options (path '"
        ~ raw_dir ~ "', recursiveFileLookup 'true')") -%}
    {%- set paths = run_query('select path from retention_raw_files order by path').columns[0].values() -%}
    {%- set names = [] -%}
    {%- for path in paths -%}
        {%- do names.append(path | replace('file://', '') | replace('file:', '') | replace(folder, '', 1)) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{# Spark resolves a relative path against a table's location, not the working directory: make it absolute. #}
{% macro _spark_absolute_path(path) -%}
    {%- if path.startswith('/') -%}
        {{ return(path) }}
    {%- endif -%}
    {%- set cwd = run_query("select java_method('java.lang.System', 'getProperty', 'user.dir')").columns[0].values()[0] -%}
    {{ return((cwd ~ '/' ~ path) | replace('/./', '/') | replace('//', '/')) }}
{%- endmacro %}

{# A relation over a Parquet file. #}
{% macro _parquet_reader(path) -%}
    {{ return(adapter.dispatch('_parquet_reader')(path)) }}
{%- endmacro %}

{% macro duckdb___parquet_reader(path) -%}
    {{ return("read_parquet('" ~ path ~ "')") }}
{%- endmacro %}

{% macro spark___parquet_reader(path) -%}
    {{ return("parquet.`" ~ _spark_absolute_path(path) ~ "`") }}
{%- endmacro %}

{# A relation over a file holding one JSON object (pretty-printed), every field read as text. #}
{% macro _json_object_reader(path) -%}
    {{ return(adapter.dispatch('_json_object_reader')(path)) }}
{%- endmacro %}

{% macro duckdb___json_object_reader(path) -%}
    {{ return("read_json('" ~ path ~ "', columns = {'run_id': 'varchar', 'delivery_fingerprint': 'varchar', "
        ~ "'raw_dir': 'varchar', 'load_time': 'varchar'})") }}
{%- endmacro %}

{% macro spark___json_object_reader(path) -%}
    {%- do run_query("create or replace temporary view retention_json_object using json options (path '" ~ _spark_absolute_path(path)
        ~ "', multiLine 'true', primitivesAsString 'true')") -%}
    {{ return('retention_json_object') }}
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
