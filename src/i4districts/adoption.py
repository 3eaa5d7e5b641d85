"""Illustrative (synthetic) sector-level I4.0 adoption paths.

NOT REAL DATA. The embedded sample has no adoption figures, so the default run
uses a deterministic, seeded logistic diffusion per sector to exercise the
exposure and model steps. Every output built on it carries the note
:data:`ILLUSTRATIVE_NOTE`. Real adoption tables (Eurostat ``isoc_*``) come from
the fetch layer.

Model: adoption share of firms in sector s at year t,

    a_{s,t} = ceiling_s / (1 + exp(-speed_s * (t - midpoint_s)))

with ceiling_s ~ U(0.3, 0.9), speed_s ~ U(0.15, 0.6) per year and midpoint_s ~
U(start + 0.3 L, start + 1.1 L), L = end - start, drawn from
``numpy.random.default_rng(seed)`` in the sorted order of the sector codes.
Units: share of enterprises (0..1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

ILLUSTRATIVE_NOTE = "illustrative adoption data (synthetic, seeded; not real data)"
ADOPTION_COLUMNS = ["nace", "year", "adoption", "unit", "source"]


def illustrative_adoption(sectors: Sequence[str], start: int, end: int, *, seed: int) -> pd.DataFrame:
    """Seeded logistic adoption path per sector, one row per (nace, year) in [start, end].

    The same (sectors, start, end, seed) always gives the same table, whatever
    the order in which ``sectors`` is passed.
    """
    if end < start:
        raise ValueError(f"illustrative_adoption: end year {end} is before start year {start}")
    codes = sorted(set(map(str, sectors)))
    if not codes:
        raise ValueError("illustrative_adoption: no sectors given")
    rng = np.random.default_rng(seed)
    n = len(codes)
    span = max(end - start, 1)
    ceiling = rng.uniform(0.3, 0.9, n)
    speed = rng.uniform(0.15, 0.6, n)
    midpoint = rng.uniform(start + 0.3 * span, start + 1.1 * span, n)
    years = np.arange(start, end + 1)
    share = ceiling[:, None] / (1.0 + np.exp(-speed[:, None] * (years[None, :] - midpoint[:, None])))
    return pd.DataFrame(
        {
            "nace": pd.array(np.repeat(codes, len(years)), dtype="string"),
            "year": np.tile(years, n).astype("int64"),
            "adoption": share.ravel(),
            "unit": pd.array(["share of enterprises"] * share.size, dtype="string"),
            "source": pd.array(["illustrative"] * share.size, dtype="string"),
        }
    )
