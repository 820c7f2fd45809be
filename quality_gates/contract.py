"""The raw data contract, read from its one written form: the `raw` source in models/staging/_raw__sources.yml.

Why the dbt source file: dbt lands the delivery by its columns (macro land_raw_files) and documents
them; the gates type and check the same columns by each column's `data_type` (the contract type).
Every other copy is derived or checked against it: the README's table (tests/test_project_structure)
and the synthetic generator's columns (tests/test_synthetic).
"""

from __future__ import annotations

from functools import cache

import yaml

from warehouse_home.layout import REPO_ROOT

SOURCES_FILE = REPO_ROOT / "models" / "staging" / "_raw__sources.yml"
CONTRACT_TYPES = ("text", "enum", "timestamp", "date", "decimal", "integer")
"""text; enum (text compared lowercase, trimmed); timestamp (ISO-8601, UTC); date; decimal(18, 2); integer."""


@cache
def raw_contract() -> dict[str, dict[str, str]]:
    """{table: {column: contract type}} of every raw table, in the source file's order."""
    sources = yaml.safe_load(SOURCES_FILE.read_text())["sources"]
    (raw,) = [source for source in sources if source["name"] == "raw"]
    contract = {
        table["name"]: {column["name"]: column["data_type"] for column in table["columns"]} for table in raw["tables"]
    }
    unknown = {
        f"{table}.{column}: {kind}"
        for table, columns in contract.items()
        for column, kind in columns.items()
        if kind not in CONTRACT_TYPES
    }
    if unknown:
        raise ValueError(f"{SOURCES_FILE}: data_type must be one of {CONTRACT_TYPES}; found {sorted(unknown)}")
    return contract


def contract_markdown() -> str:
    """Render the contract as the README's table (one row per column: type and rule), from the source file."""
    sources = yaml.safe_load(SOURCES_FILE.read_text())["sources"]
    (raw,) = [source for source in sources if source["name"] == "raw"]
    rows = ["| table | column | type | rule |", "| --- | --- | --- | --- |"]
    for table in raw["tables"]:
        for index, column in enumerate(table["columns"]):
            rule = " ".join(column["description"].split()).replace("|", "\\|")
            name = table["name"] if index == 0 else ""
            rows.append(f"| {name} | {column['name']} | {column['data_type']} | {rule} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(contract_markdown())
