"""Instrument shifts from other countries' adoption.

* **leave-one-out shift**: ``shift^{-c}_{s,t} = mean_{c' != c} shift_{c',s,t}``;
* **named-countries shift**: ``shift^{C}_{s,t} = mean_{c' in C} shift_{c',s,t}``

(Acemoglu and Restrepo 2020, JPE, use other European countries' robot
adoption; Dauth, Findeisen, Suedekum and Woessner 2021, JEEA, use other
high-income countries). Feed the result to
:func:`~i4districts.shiftshare.exposure.shift_share_exposure` or
:meth:`~i4districts.shiftshare.exposure.ShiftShareExposure.with_shifts`:
the instrument has the same shares as the exposure it instruments.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from i4districts.shiftshare._checks import require_columns, require_finite, require_unique
from i4districts.shiftshare.errors import ShiftShareInputError

__all__ = ["leave_one_out_shift", "named_countries_shift"]


def _country_shift_wide(
    shifts: pd.DataFrame, country: str, sector: str, time: str, shift: str
) -> pd.DataFrame:
    table = "country shifts table"
    require_columns(shifts, table, [country, sector, time, shift])
    require_unique(shifts, table, [country, sector, time])
    require_finite(shifts, table, shift, [country, sector, time])
    return shifts.pivot(index=[sector, time], columns=country, values=shift)


def leave_one_out_shift(
    shifts: pd.DataFrame,
    *,
    country: str = "country",
    sector: str = "sector",
    time: str = "year",
    shift: str = "shift",
) -> pd.DataFrame:
    """Leave-one-out shift for each country (instrument construction).

    leave-one-out shift: ``shift^{-c}_{s,t} = mean_{c' != c} shift_{c',s,t}``,
    the unweighted mean of the other countries' shift (the robot literature's
    instrument: Acemoglu and Restrepo 2020; Dauth et al. 2021, JEEA). Feed the
    result for country c to :func:`shift_share_exposure` to build c's
    instrument. Needs every country for every (sector, period) and at least
    two countries. Returns ``[country, sector, time, "shift"]``.
    """
    wide = _country_shift_wide(shifts, country, sector, time, shift)
    if wide.shape[1] < 2:
        raise ShiftShareInputError(
            "country shifts table", country, "needs at least two countries; have",
            list(wide.columns),
        )
    if wide.isna().to_numpy().any():
        miss = wide.isna().stack()
        raise ShiftShareInputError(
            "country shifts table", shift, "lacks (sector, period, country) cells",
            [k for k, m in miss.items() if m],
        )
    total = wide.sum(axis=1)
    k = wide.shape[1]
    loo = wide.rsub(total, axis=0) / (k - 1)
    out = loo.stack().rename("shift").reset_index()
    out = out[[country, sector, time, "shift"]]
    return out.sort_values([country, sector, time], kind="stable").reset_index(drop=True)


def named_countries_shift(
    shifts: pd.DataFrame,
    countries: Sequence[str],
    *,
    country: str = "country",
    sector: str = "sector",
    time: str = "year",
    shift: str = "shift",
) -> pd.DataFrame:
    """Mean shift over a named set of countries (instrument construction).

    named-countries shift: ``shift^{C}_{s,t} = mean_{c in C} shift_{c,s,t}``
    (Acemoglu and Restrepo 2020 use European countries ahead of the US;
    Dauth et al. 2021 use other high-income countries). Every named country
    must be present for every (sector, period). Returns
    ``[sector, time, "shift"]``.
    """
    wide = _country_shift_wide(shifts, country, sector, time, shift)
    names = list(dict.fromkeys(countries))
    if not names:
        raise ShiftShareInputError("country shifts table", country, "no countries named")
    absent = [c for c in names if c not in wide.columns]
    if absent:
        raise ShiftShareInputError(
            "country shifts table", country, "lacks the named countries", absent
        )
    sub = wide[names]
    if sub.isna().to_numpy().any():
        miss = sub.isna().stack()
        raise ShiftShareInputError(
            "country shifts table", shift, "lacks (sector, period, country) cells",
            [k for k, m in miss.items() if m],
        )
    out = sub.mean(axis=1).rename("shift").reset_index()
    return out.sort_values([sector, time], kind="stable").reset_index(drop=True)
