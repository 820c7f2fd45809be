"""The engine layer without an engine: the build's waves, the Spark settings, the refresh's engine check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engines.spark_session import spark_settings
from engines.waves import Wave, python_model_depths, waves
from orchestration.settings import OrchestrationSettings


def _manifest(tmp_path: Path, nodes: dict[str, tuple[str, list[str]]]) -> Path:
    """A manifest with models name -> (language, parents)."""
    path = tmp_path / "manifest.json"
    path.write_text(
        json.dumps(
            {
                "nodes": {
                    f"model.p.{name}": {
                        "name": name,
                        "language": language,
                        "depends_on": {"nodes": [f"model.p.{parent}" for parent in parents]},
                    }
                    for name, (language, parents) in nodes.items()
                }
            }
        )
    )
    return path


def test_a_python_model_fed_by_another_through_sql_is_a_wave_later(tmp_path: Path) -> None:
    """sql -> fit_a (1) -> sql_b -> fit_b (2); fit_c reads only SQL (1); fit_d reads fit_a directly (2)."""
    manifest = _manifest(
        tmp_path,
        {
            "stg": ("sql", []),
            "fit_a": ("python", ["stg"]),
            "fit_c": ("python", ["stg"]),
            "sql_b": ("sql", ["fit_a"]),
            "fit_b": ("python", ["sql_b"]),
            "fit_d": ("python", ["fit_a", "stg"]),
            "mart": ("sql", ["fit_b", "fit_c"]),
        },
    )
    assert python_model_depths(manifest) == {"fit_a": 1, "fit_b": 2, "fit_c": 1, "fit_d": 2}


def test_waves_build_what_needs_no_fit_first_then_each_fit_and_what_follows_it() -> None:
    """Each wave excludes the later fits and everything after them, and selects what its own fits feed."""
    assert waves({"fit_a": 1, "fit_c": 1, "fit_b": 2}) == [
        Wave(python_models=(), select=(), exclude=("fit_a+", "fit_b+", "fit_c+")),
        Wave(python_models=("fit_a", "fit_c"), select=("fit_a+", "fit_c+"), exclude=("fit_a", "fit_c", "fit_b+")),
        Wave(python_models=("fit_b",), select=("fit_b+",), exclude=("fit_b",)),
    ]


def test_a_project_without_python_models_is_one_plain_build() -> None:
    """No fits: one wave that selects and excludes nothing (a plain dbt build)."""
    assert waves({}) == [Wave(python_models=(), select=(), exclude=())]


def test_spark_settings_come_from_the_profile_with_its_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader's Spark settings are the profile's, with env_var() rendered as dbt renders it."""
    monkeypatch.setenv("RETENTION_SPARK_WAREHOUSE", "/data/spark")
    monkeypatch.delenv("RETENTION_SPARK_MASTER", raising=False)
    settings = spark_settings()
    assert settings["spark.master"] == "local[*]"
    assert settings["spark.sql.warehouse.dir"] == "/data/spark"
    assert "databaseName=/data/spark/metastore_db" in settings["spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert settings["spark.sql.session.timeZone"] == "UTC"


def test_the_refresh_refuses_an_engine_it_does_not_run_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """RETENTION_ENGINE=spark stops the Dagster refresh with what to run instead, before it touches a file."""
    monkeypatch.setenv("RETENTION_ENGINE", "spark")
    with pytest.raises(
        ValueError, match=r"RETENTION_ENGINE=spark: the Dagster refresh runs on duckdb only; .*make build"
    ):
        OrchestrationSettings.from_env()
