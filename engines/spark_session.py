"""The Spark session of the `spark` target, for code that reads the warehouse beside dbt (tests, publishing).

Why from profiles.yml: dbt-spark's `method: session` starts Spark with the profile's
`server_side_parameters` (catalog, warehouse folder, time zone); a reader with other settings would see
another catalog. Rendering the profile's `env_var()` calls here keeps the settings written once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import yaml

PROFILES = Path(__file__).resolve().parent.parent / "profiles.yml"


def _env_var(name: str, default: str | None = None) -> str:
    """Mirror dbt's env_var(): the variable, else the default, else an error naming it."""
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise KeyError(f"environment variable {name} is not set")
    return default


def spark_settings() -> dict[str, str]:
    """Return the `spark` output's server_side_parameters, rendered as dbt renders them."""
    rendered = jinja2.Template(PROFILES.read_text()).render(env_var=_env_var)
    output = yaml.safe_load(rendered)["retention"]["outputs"]["spark"]
    return {key: str(value) for key, value in output["server_side_parameters"].items()}


def spark_session() -> Any:
    """Return the running Spark session, or start one with the profile's settings (dbt-spark then reuses it)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_settings().items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
