# Plain task runner. Every target sets up the virtual environment first (once per change of
# requirements.txt / pyproject.toml), so each README command works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp


.PHONY: setup setup-spark build run dev prepare validate versions rollback gates test test-fast lint pytest bench-scale bench-spark bench-generator bench-build bench-clv bench-gates bench-publish export-worklist sample clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt -e .
	touch $(STAMP)

setup: $(STAMP)

## The Spark engine (RETENTION_ENGINE=spark): dbt-spark with its session extra and pyspark, in the same environment.
SPARK_STAMP := $(VENV)/.spark-installed-stamp
$(SPARK_STAMP): $(STAMP) requirements-spark.txt
	java -version 2>&1 | grep -Eq 'version "(17|21)' || (echo "Spark 4 needs Java 17 or 21 (java -version)"; exit 1)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-spark.txt
	touch $(SPARK_STAMP)

setup-spark: $(SPARK_STAMP)

# The bundled sample is replayed as the delivery of this morning (its latest order is 2024-12-31), so
# the freshness gate judges it as on that day; a real delivery ($RETENTION_RAW_DIR) loads "now".
SAMPLE_LOAD_TIME := 2025-01-01T06:00:00Z

## The main job, in-process through Dagster: quality gates on $RETENTION_RAW_DIR (default: the bundled
## sample), dbt build of what passed (with its tests), publish; then where the published warehouse is.
## LOAD_TIME=ISO-8601 sets the load time the freshness gate judges by (historical data: when it was delivered).
run: setup
	$(BIN)/python -m orchestration $(if $(LOAD_TIME),--load-time $(LOAD_TIME),$(if $(RETENTION_RAW_DIR),,--load-time $(SAMPLE_LOAD_TIME)))

## The Dagster UI on http://127.0.0.1:$(PORT) (asset graph, checks, schedule, sensor), with the
## instance settings of orchestration/dagster.yaml (one writer at a time, run retries).
PORT ?= 3000
DAGSTER_HOME_DIR := $(abspath $(or $(RETENTION_HOME),warehouse))/dagster
## `exec`: dagster dev replaces the recipe's shell (orchestration/dev.py resets the signals it needs), so a
## SIGTERM to make (which make passes to its child) or a Ctrl-C stops it with its webserver, daemon and code server.
dev: setup
	mkdir -p $(DAGSTER_HOME_DIR) && cp orchestration/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml
	exec env DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/python -m orchestration.dev -h 127.0.0.1 -p $(PORT)

## `dbt build` of the whole project on RETENTION_ENGINE (duckdb, default, or spark: engines/spark_build.py runs
## the dbt Python models beside dbt-spark) from RETENTION_RAW_DIR (default: the bundled sample).
ENGINE_IS_SPARK := $(filter spark,$(RETENTION_ENGINE))
build: setup $(if $(ENGINE_IS_SPARK),setup-spark)
	$(if $(ENGINE_IS_SPARK),$(BIN)/python -m engines.spark_build,$(BIN)/dbt build)

## Parse the dbt project once into $RETENTION_HOME/dbt_target (what a deployment ships).
prepare: setup
	$(BIN)/python -m orchestration.project

## Load the code location as a deployment would.
validate: prepare
	$(BIN)/dagster definitions validate -m orchestration.definitions

## The published versions (current marked *), and rolling back: make rollback [TO=version_id]
versions: setup
	$(BIN)/python -m publishing list

rollback: setup
	$(BIN)/python -m publishing rollback $(if $(TO),--to $(TO))

## Run the quality gates alone on a raw folder: make gates RAW=path/to/folder [LOAD_TIME=ISO-8601]
RAW ?= data/sample
gates: setup
	$(BIN)/python -m quality_gates --raw-dir $(RAW) --load-time $(or $(LOAD_TIME),$(SAMPLE_LOAD_TIME))

## Export the published at-risk worklist (CSV + Parquet) to exports/ (OUT=...) for the CRM; never overwrites.
OUT ?= exports
export-worklist: setup
	$(BIN)/python -m publishing.export_worklist --out $(OUT)

## Every lint and test: SQLFluff, ruff, mypy, pytest (which runs dbt build with its data and unit tests).
test: lint pytest

## The edit loop's tier, under 2 minutes: ruff, mypy and the unit tests (pytest -m unit: everything that builds
## neither dbt nor Dagster). `make test` runs SQLFluff and every tier (dbt builds, Dagster refreshes), as CI does.
test-fast: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -m unit

lint: setup
	$(BIN)/sqlfluff lint models
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: setup setup-spark
	$(BIN)/pytest

## Benchmark the main job (gates, dbt build, publish) at 100k and 1M customers next to a floor query: CPU s,
## wall, peak RSS of all processes (writes benchmarks/results/scale.{json,md}). 10M customers (about an hour):
## make bench-scale SIZES=10000000 MERGE=--merge (keeps the other sizes' results).
SIZES ?= 100000 1000000
MERGE ?=
bench-scale: setup
	$(BIN)/python -m benchmarks.bench_scale --sizes $(SIZES) $(MERGE)

## Benchmark the whole build on Spark next to DuckDB's at 100k customers (writes benchmarks/results/spark.{json,md}).
bench-spark: setup setup-spark
	$(BIN)/python -m benchmarks.bench_spark

## Benchmark the synthetic data generator (writes benchmarks/results/generator.{json,md}).
bench-generator: setup
	$(BIN)/python -m benchmarks.bench_generator

## Regenerate the bundled sample data set (deterministic: same files every time).
sample: setup
	$(BIN)/python -m synthetic --customers 3000 --seed 42 --format csv --out data/sample

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.wal warehouse/build warehouse/state warehouse/serving \
		warehouse/dbt_target warehouse/gx warehouse/dagster warehouse/spark derby.log

## Benchmark the whole dbt build at 100k and 1M customers (writes benchmarks/results/build.{json,md}).
bench-build: setup
	$(BIN)/python -m benchmarks.bench_build

## Benchmark the CLV model fit, compressed vs per customer, at 100k and 1M customers (benchmarks/results/clv.{json,md}).
bench-clv: setup
	$(BIN)/python -m benchmarks.bench_clv

## Benchmark the quality gates alone at 1M customers (~10M orders) (benchmarks/results/gates.{json,md}).
bench-gates: setup
	$(BIN)/python -m benchmarks.bench_gates --sizes 1000000 --no-expectations

## Benchmark publishing (marts -> new DuckDB file + Parquet, atomic swap) at 100k and 1M customers (benchmarks/results/publish.{json,md}).
bench-publish: setup
	$(BIN)/python -m benchmarks.bench_publish
