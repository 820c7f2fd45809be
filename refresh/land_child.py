"""The gates and the landing as a child process of a refresh (refresh.landing.land_delivery_in_child).

``python -m refresh.land_child RAW_DIR LOAD_TIME HOME RUN_ID OUTCOME_FILE``: runs land_delivery and
writes its outcome (blocked or not) as JSON to OUTCOME_FILE; a crash exits non-zero with its traceback.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from refresh.landing import GateFailure, land_delivery
from warehouse_home.layout import WarehouseLayout


def main(argv: list[str]) -> None:
    """Gate and land one delivery; write the outcome where the parent reads it."""
    raw_dir, load_time, home, run_id, outcome_file = argv
    try:
        outcome = land_delivery(Path(raw_dir), datetime.fromisoformat(load_time), WarehouseLayout(Path(home)), run_id)
    except GateFailure as failure:
        outcome = failure.report
    Path(outcome_file).write_text(outcome.to_json())


if __name__ == "__main__":
    main(sys.argv[1:])
