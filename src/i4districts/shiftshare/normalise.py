"""Normalisation of exposure measures, a science choice made in the config.

* ``none``: exposure in the units of the adoption indicator (e.g. percentage
  points of enterprises, robots per thousand workers).
* ``sd``: each exposure column divided by its sample standard deviation
  (``ddof = 1``) over the region-years after the base year, i.e. the estimation
  sample, so that coefficients read "per one standard deviation of exposure"
  (as in Acemoglu and Restrepo 2020, tables reporting standardised exposure).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from i4districts.shiftshare.errors import ShiftShareInputError

NORMALISATIONS = ("none", "sd")


def normalise_exposure(table: pd.DataFrame, *, columns: Sequence[str], method: str, base_year: int,
                       time: str = "year") -> pd.DataFrame:
    """Return a copy of ``table`` with ``columns`` normalised by ``method`` (see the module docstring)."""
    if method not in NORMALISATIONS:
        raise ShiftShareInputError("exposure table", "normalisation", f"must be one of {NORMALISATIONS}", [method])
    out = table.copy()
    if method == "none":
        return out
    sample = out[time] > base_year
    for col in columns:
        sd = float(np.nanstd(out.loc[sample, col].to_numpy(dtype=float), ddof=1))
        if not np.isfinite(sd) or sd == 0.0:
            raise ShiftShareInputError("exposure table", col, "has no variation after the base year; cannot "
                                     "divide by its standard deviation", [sd])
        out[col] = out[col] / sd
    return out
