"""Territorial servitization: co-location of KIBS with manufacturing.

Knowledge-intensive business services (KIBS) next to manufacturing are read as
a sign of a servitized local production system (e.g. Lafuente, Vaillant &
Vendrell-Herrero 2017, *Int. J. Production Economics* 192; in the district
literature: Bellandi & Santini 2017). Per region × time, with ``K_r`` KIBS
employment, ``M_r`` manufacturing employment, ``E_r`` total employment, and
``K, M, E`` the reference (sum over the table's regions per year):

* ``kibs_per_manufacturing = K_r / M_r``         (KIBS jobs per manufacturing job);
* ``kibs_lq = (K_r / E_r) / (K / E)``            (location quotient of KIBS);
* ``servitization_lq = (K_r / M_r) / (K / M)``   (KIBS-per-manufacturing relative to the reference).

Ratios with a zero denominator are NaN. KIBS definitions (``kibs=`` a name or
an explicit code list):

* ``"core"`` (default; core KIBS of Schnabl & Zenker 2013, Fraunhofer ISI):
  NACE Rev. 2 62, 63.1, 69, 70.2, 71, 72, 73. Group 70.1 (activities of head
  offices) is *not* KIBS: it books the employment of manufacturing groups'
  headquarters. When the table has 3-digit codes under 63 or 70 (``70.1``,
  ``70.2``, ``M70.2``, ``702``...), only 63.1 and 70.2 are counted; with
  2-digit data only, divisions 63 and 70 are used as approximations
  (this includes head offices). Within a division, the 2-digit code is used
  when present (its 3-digit children are then not added again).
* ``"broad"``: divisions 62-63 and 69-74 at 2-digit level (all of 70, and 74
  other professional, scientific and technical activities).

:func:`kibs_codes` returns the table's sector codes a definition counts;
:func:`servitization` records them in ``out.attrs["kibs_codes"]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._core import IndicatorInputError, Missing, as_code_set, safe_divide
from ._coded import code_table
from .specialization import MANUFACTURING_NACE

KIBS_NACE: tuple[str, ...] = (
    ("62", "63", "69", "70", "71", "72", "73") + tuple(f"M{d}" for d in (69, 70, 71, 72, 73)) + ("J62", "J63")
)
"""2-digit KIBS codes (the ``"core"`` definition's divisions, 63 and 70 undivided)."""

#: named KIBS definitions: division -> NACE groups counted (None = the whole division)
KIBS_DEFINITIONS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "core": {"62": None, "63": ("631",), "69": None, "70": ("702",), "71": None, "72": None, "73": None},
    "broad": {d: None for d in ("62", "63", "69", "70", "71", "72", "73", "74")},
}
_NACE_RE = re.compile(r"^[A-U]?(\d{2})(?:\.?(\d)(?:\.?\d)?)?$")


def _nace_parts(code: object) -> tuple[str, str | None, bool] | None:
    """``"M70.2"`` -> ``("70", "702", False)``; ``"70"`` -> ``("70", None, False)``; 4-digit codes flag True."""
    m = _NACE_RE.match(str(code).strip().upper())
    if m is None:
        return None
    div, grp = m.group(1), m.group(2)
    deeper = len(re.sub(r"\D", "", str(code))) > 3
    return div, (div + grp if grp else None), deeper


def kibs_codes(sectors: Iterable[object], definition: str = "core") -> list[object]:
    """The sector codes of a table that a named KIBS definition counts (module docstring).

    Per KIBS division: the 2-digit code when the table has it and the whole
    division counts; otherwise the listed 3-digit groups (``"core"``: 63.1,
    70.2) when the table has 3-digit codes in the division, falling back to the
    2-digit code (an approximation) when it has none. 4-digit codes are never
    added (their 3-digit or 2-digit parents are used).
    """
    if definition not in KIBS_DEFINITIONS:
        raise IndicatorInputError(f"kibs={definition!r}: choose one of {sorted(KIBS_DEFINITIONS)} or a code list")
    spec = KIBS_DEFINITIONS[definition]
    labels = list(dict.fromkeys(sectors))
    parsed = {lab: _nace_parts(lab) for lab in labels}
    chosen: list[object] = []
    for div, groups in spec.items():
        two = [lab for lab, p in parsed.items() if p and p[0] == div and p[1] is None]
        three = [lab for lab, p in parsed.items() if p and p[0] == div and p[1] is not None and not p[2]]
        if groups is None:
            chosen += two if two else three
        elif three:
            chosen += [lab for lab in three if parsed[lab][1] in groups]
        else:
            chosen += two
    return chosen


def servitization(
    emp: pd.DataFrame,
    *,
    kibs: str | Iterable[object] = "core",
    manufacturing: Iterable[object] = MANUFACTURING_NACE,
    region: str = "region",
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
    missing: Missing = "raise",
) -> pd.DataFrame:
    """KIBS per manufacturing job, KIBS LQ and servitization LQ per region × time.

    ``kibs``: a named definition (``"core"``, ``"broad"``; module docstring)
    resolved on the table's sector codes by :func:`kibs_codes`, or an explicit
    list of codes.

    Columns: region, time, ``"kibs_employment"``, ``"manufacturing_employment"``,
    ``"employment"``, ``"kibs_per_manufacturing"``, ``"kibs_lq"``, ``"servitization_lq"``.
    """
    p = code_table(emp, region=region, sector=sector, time=time, value=value, reference=None, missing=missing)
    named = kibs if isinstance(kibs, str) else None
    kibs = kibs_codes(p.sectors, named) if named is not None else list(kibs)
    manufacturing = list(manufacturing)
    if named is not None and not kibs:
        kibs = list(KIBS_DEFINITIONS[named])  # nothing matched: let the check below name the divisions
    is_k = as_code_set(p.sectors, kibs)
    is_m = as_code_set(p.sectors, manufacturing)
    for name, mask, members in (("KIBS", is_k, kibs), ("manufacturing", is_m, manufacturing)):
        if not mask.any():
            raise IndicatorInputError(
                f"emp: no {name} sector found in column {sector!r} (looked for {members[:8]}...; "
                f"found {list(p.sectors[:8])})"
            )
    if (is_k & is_m).any():
        raise IndicatorInputError(f"kibs and manufacturing overlap: {list(p.sectors[is_k & is_m])}")
    m = p.nr * p.nt
    K = np.bincount(p.g, weights=np.where(is_k[p.s], p.v, 0.0), minlength=m)
    M = np.bincount(p.g, weights=np.where(is_m[p.s], p.v, 0.0), minlength=m)
    Kt = np.bincount(np.arange(m) % p.nt, weights=K, minlength=p.nt)
    Mt = np.bincount(np.arange(m) % p.nt, weights=M, minlength=p.nt)
    Et = np.bincount(np.arange(m) % p.nt, weights=p.E_g, minlength=p.nt)
    gi = p.present_groups()
    tt = gi % p.nt
    out = p.group_frame(gi, region, time)
    out["kibs_employment"] = K[gi]
    out["manufacturing_employment"] = M[gi]
    out["employment"] = p.E_g[gi]
    ratio = safe_divide(K[gi], M[gi])
    out["kibs_per_manufacturing"] = ratio
    out["kibs_lq"] = safe_divide(safe_divide(K[gi], p.E_g[gi]), safe_divide(Kt, Et)[tt])
    out["servitization_lq"] = safe_divide(ratio, safe_divide(Kt, Mt)[tt])
    out.attrs["kibs_codes"] = [str(c) for c in p.sectors[is_k]]
    return out
