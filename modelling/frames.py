"""How the model math reads warehouse columns: one rule for every numeric column a fit touches."""

from __future__ import annotations

import numpy as np
import pandas as pd


def float_array(column: pd.Series) -> np.ndarray:
    """Read a numeric column as floats; decimals, booleans, nullable integers and nulls (as NaN) included.

    Why one function: DuckDB hands decimals as Decimal objects and nullable integers as pandas NA,
    which numpy cannot cast directly; every fit must read them the same way.
    """
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
