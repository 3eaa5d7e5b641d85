"""The activity structure of the synthetic world: ATECO 2007 divisions, their reference weights and size mixes.

Every number here is **invented** (orders of magnitude loosely shaped like Italy's industry
and services census, never copied from it): it is the reference economy from which
:mod:`i4districts.synth.employment` draws each local labour system's composition.

* ``DIVISIONS``: the 88 ATECO 2007 / NACE Rev. 2 divisions (``"01"``..``"99"``), each with its
  NACE section (:func:`i4districts.harmonize.sectors.division_section`), a reference weight
  ``pi_k`` (thousand persons; only ratios matter) and a size-mix profile.
* ``SIZE_CLASSES``: Eurostat/ISTAT classes of local units by persons employed with their bounds
  ``[lo, hi]`` per unit (micro 1-9: units with 0 persons are not generated) and the *safe*
  range of the mean unit size used when a cell is created, ``[lo * 1.5, hi / 1.5]`` or tighter,
  so that scaling a cell's employment by any factor in ``[2/3, 3/2]`` keeps it within bounds.
* ``PROFILES``: the share of a division's employment in each class (sums to 1).
* ``ADOPTION``: range of the ceiling (percent of enterprises) of the logistic robot-use path
  of each profile (:mod:`i4districts.synth.outcomes`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from i4districts.harmonize.sectors import division_section
from i4districts.indicators.districts import MACRO_ATECO2007, istat_district_group

#: size class label -> (lower bound, upper bound) of persons employed per local unit.
SIZE_CLASSES: dict[str, tuple[float, float]] = {
    "W0_9": (1.0, 9.0),
    "W10_49": (10.0, 49.0),
    "W50_249": (50.0, 249.0),
    "W_GE250": (250.0, np.inf),
}
SIZE_LABELS: tuple[str, ...] = tuple(SIZE_CLASSES)
#: safe range of the mean unit size of a newly generated cell (persons per unit), per class.
SAFE_MEAN_SIZE: dict[str, tuple[float, float]] = {
    "W0_9": (1.6, 4.5),
    "W10_49": (16.0, 28.0),
    "W50_249": (80.0, 150.0),
    "W_GE250": (400.0, np.inf),
}
#: largest factor by which a cell's employment may move from the base year (cells stay in class even after
#: rounding down; the safe mean sizes allow 1.5).
MAX_FACTOR = 1.45

#: profile -> share of employment in W0_9, W10_49, W50_249, W_GE250.
PROFILES: dict[str, tuple[float, float, float, float]] = {
    "agri": (0.85, 0.12, 0.03, 0.0),
    "manuf_light": (0.30, 0.35, 0.20, 0.15),
    "manuf_heavy": (0.10, 0.25, 0.27, 0.38),
    "utility": (0.10, 0.20, 0.30, 0.40),
    "construction": (0.60, 0.30, 0.08, 0.02),
    "trade_services": (0.60, 0.20, 0.10, 0.10),
    "corporate_services": (0.20, 0.20, 0.20, 0.40),
    "public": (0.10, 0.15, 0.25, 0.50),
    "households": (1.0, 0.0, 0.0, 0.0),
    "extraterritorial": (0.30, 0.40, 0.30, 0.0),
}

#: profile -> (low, high) ceiling of robot use, percent of enterprises.
ADOPTION: dict[str, tuple[float, float]] = {
    "agri": (2.0, 20.0),
    "manuf_light": (5.0, 50.0),
    "manuf_heavy": (20.0, 80.0),
    "utility": (5.0, 30.0),
    "construction": (1.0, 15.0),
    "trade_services": (0.5, 20.0),
    "corporate_services": (1.0, 35.0),
    "public": (0.5, 10.0),
    "households": (0.0, 1.0),
    "extraterritorial": (0.5, 5.0),
}

_LIGHT = "manuf_light"
_HEAVY = "manuf_heavy"
_TRADE = "trade_services"
_CORP = "corporate_services"

#: division -> (reference weight in thousand persons, profile). Invented orders of magnitude.
_TABLE: dict[str, tuple[float, str]] = {
    "01": (900, "agri"), "02": (40, "agri"), "03": (30, "agri"),
    "05": (1, "utility"), "06": (5, "utility"), "07": (1, "utility"), "08": (25, "utility"), "09": (5, "utility"),
    "10": (400, _LIGHT), "11": (45, _HEAVY), "12": (3, _HEAVY), "13": (110, _LIGHT), "14": (200, _LIGHT),
    "15": (140, _LIGHT), "16": (110, _LIGHT), "17": (70, _HEAVY), "18": (70, _LIGHT), "19": (8, _HEAVY),
    "20": (110, _HEAVY), "21": (65, _HEAVY), "22": (175, _HEAVY), "23": (170, _HEAVY), "24": (110, _HEAVY),
    "25": (650, _LIGHT), "26": (110, _HEAVY), "27": (165, _HEAVY), "28": (460, _HEAVY), "29": (160, _HEAVY),
    "30": (75, _HEAVY), "31": (140, _LIGHT), "32": (90, _LIGHT), "33": (150, _LIGHT),
    "35": (50, "utility"), "36": (20, "utility"), "37": (10, "utility"), "38": (100, "utility"), "39": (5, "utility"),
    "41": (450, "construction"), "42": (60, "construction"), "43": (800, "construction"),
    "45": (380, _TRADE), "46": (1150, _TRADE), "47": (1800, _TRADE),
    "49": (500, _CORP), "50": (40, _CORP), "51": (20, _CORP), "52": (350, _CORP), "53": (150, _CORP),
    "55": (350, _TRADE), "56": (1100, _TRADE),
    "58": (50, _CORP), "59": (30, _CORP), "60": (20, _CORP), "61": (80, _CORP), "62": (320, _CORP), "63": (50, _CORP),
    "64": (300, _CORP), "65": (50, _CORP), "66": (250, _TRADE),
    "68": (200, _TRADE),
    "69": (500, _TRADE), "70": (250, _CORP), "71": (300, _TRADE), "72": (30, _CORP), "73": (80, _TRADE),
    "74": (120, _TRADE), "75": (25, _TRADE),
    "77": (50, _CORP), "78": (450, _CORP), "79": (60, _TRADE), "80": (90, _CORP), "81": (650, _CORP),
    "82": (200, _CORP),
    "84": (1200, "public"),
    "85": (1500, "public"), "86": (1200, "public"), "87": (300, "public"), "88": (350, "public"),
    "90": (40, _TRADE), "91": (15, "public"), "92": (40, _TRADE), "93": (110, _TRADE),
    "94": (200, _TRADE), "95": (60, _TRADE), "96": (450, _TRADE),
    "97": (800, "households"), "98": (5, "households"),
    "99": (5, "extraterritorial"),
}

#: Sector codes of the embedded sample layout (Eurostat nama_10r_3empers, incl. overlapping aggregates).
SAMPLE_SECTORS: dict[str, str] = {
    "A": "A", "B-E": "BCDE", "C": "C", "F": "F", "G-I": "GHI", "G-J": "GHIJ", "J": "J", "K": "K",
    "K-N": "KLMN", "L": "L", "M-N": "MN", "O-Q": "OPQ", "O-U": "OPQRSTU", "R-U": "RSTU",
    "TOTAL": "ABCDEFGHIJKLMNOPQRSTU",
}
#: The non-overlapping A*10 set with C split out (``A10_split_C`` of harmonize/data/sector_sets.yaml).
A10_SPLIT_C: dict[str, str] = {
    "A": "A", "B_D_E": "BDE", "C": "C", "F": "F", "G-I": "GHI", "J": "J", "K": "K", "L": "L",
    "M-N": "MN", "O-Q": "OPQ", "R-U": "RSTU",
}


@lru_cache(maxsize=1)
def division_table() -> pd.DataFrame:
    """One row per division: ``division, section, macro, group, weight, profile`` (sorted by division).

    ``macro`` is the macro-sector of :data:`i4districts.indicators.districts.MACRO_ATECO2007`
    (``other`` when unlisted) and ``group`` the ISTAT district group of the bare division code
    (:func:`~i4districts.indicators.districts.istat_district_group`; empty outside manufacturing),
    so the synthetic structure uses exactly the mapping the district method applies.
    """
    rows = []
    for div, (weight, profile) in sorted(_TABLE.items()):
        rows.append({
            "division": div, "section": division_section(div), "macro": MACRO_ATECO2007.get(div, "other"),
            "group": istat_district_group(div) or "", "weight": float(weight), "profile": profile,
        })
    return pd.DataFrame(rows)


def sector_membership(codes: dict[str, str]) -> np.ndarray:
    """Boolean matrix (len(codes) x 88 divisions): division k belongs to code j (by NACE section letters)."""
    sections = division_table()["section"].to_numpy()
    return np.array([[s in letters for s in sections] for letters in codes.values()], dtype=bool)
