"""Shift-share exposure to Industry 4.0 adoption (regions x periods).

Pure functions in :mod:`i4districts.exposure.shiftshare`; errors in
:mod:`i4districts.exposure.errors`.
"""

from i4districts.exposure.errors import ExposureInputError
from i4districts.exposure.shiftshare import (
    adjusted_penetration,
    adoption_changes,
    baseline_shares,
    named_countries_shift,
    leave_one_out_shift,
    shift_share_exposure,
)

__all__ = [
    "ExposureInputError",
    "adjusted_penetration",
    "adoption_changes",
    "baseline_shares",
    "leave_one_out_shift",
    "named_countries_shift",
    "shift_share_exposure",
]
