"""The warehouse's side of the CLV models: its column names, mapped to modelling.clv's inputs.

Why a separate module: modelling.clv is engine-independent math that any runner can call; the
names of int_clv_inputs_summarized are the warehouse's own. Both dbt Python models (fit and
score) read the same inputs, so the mapping is written once, here.
"""

from __future__ import annotations

import pandas as pd

SUMMARY_COLUMNS = {
    "repeat_purchase_days": "x",
    "purchase_span_days": "t_x",
    "customer_age_days": "T",
    "repeat_monetary_value": "monetary_value",
}
"""int_clv_inputs_summarized column -> modelling.clv summary column."""


def summary_from_warehouse(inputs: pd.DataFrame) -> pd.DataFrame:
    """Return the customer_id, x, t_x, T, monetary_value frame modelling.clv expects, by customer_id.

    Sorted because the warehouse returns rows in no fixed order and a fit's floating-point sums
    depend on it: the same data must give the same parameters to the last digit.
    """
    summary = inputs[["customer_id", *SUMMARY_COLUMNS]].rename(columns=SUMMARY_COLUMNS)
    return summary.sort_values("customer_id", kind="stable").reset_index(drop=True)
