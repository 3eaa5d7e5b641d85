"""Province employment by the prevailing specialisation of its local labour systems.

The district measure for Italian NUTS-3 provinces: the share of a province's
persons employed (*addetti*, ISTAT Frame-SBS 2023, Tav.39, every municipality)
who work in municipalities whose 2021 local labour system (SLL) has a given
prevailing specialisation (ISTAT, *La specializzazione produttiva prevalente
dei sistemi locali del lavoro*, 2021)::

    share_{p,k} = Σ_{m ∈ p, class(sll(m)) = k} E_m / Σ_{m ∈ p} E_m

for classes ``k`` ∈ {A "Made in Italy", B heavy industry, C non-manufacturing,
D non-specialised} (``level = "class"``) and groups A1..A6, B1..B6, C1..C4, D1 (ISTAT's code
of the single group of class D) (``level = "group"``). Within each level a province's shares sum to one.

These are the 2021 *prevailing specialisation* classes of all SLLs, not ISTAT's
141 industrial districts of 2011 (a different classification on the 2011
systems): the summary measures are therefore named for what they are —
``made_in_italy_share`` (class A) and ``manufacturing_specialised_share``
(A + B) — not "district share".

Steps (:func:`district_shares_table` runs them from the shared data directory):

1. municipalities of Tav.39 are placed in SLL 2021 by
   :func:`i4districts.harmonize.istat.resolve_municipalities` (no code dropped);
2. the 122 suppressed municipal cells of persons employed are filled with the
   SLL's suppressed residual (Tav.42 total − published municipal cells),
   allocated to the SLL's suppressed municipalities in proportion to their
   local units (never suppressed); rows so filled are flagged ``imputed``;
3. municipalities are placed in NUTS-3 through the shipped province table
   (:func:`i4districts.harmonize.istat.read_province_nuts_map`): NUTS 2021
   from the 2023 municipality code; NUTS 2016 likewise, except in Sardinia,
   where the 2025 code of the crosswalk places the municipality in one of
   the 2025 provinces that revive the 8 provinces of NUTS 2016 (flag
   ``approximated``).

Output (tidy): ``region`` (NUTS-3 code), ``nuts_version`` (2016 or 2021),
``level`` (``class``/``group``), ``class`` (code), ``share``, ``employment``
(persons employed in that class, the weight), ``province_employment``,
``flag`` (``;``-separated: ``approximated``, ``imputed``; ``""`` none).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.harmonize import istat
from i4districts.indicators._core import IndicatorInputError

__all__ = [
    "CLASSES",
    "GROUPS",
    "assign_nuts3",
    "district_shares_table",
    "district_summary",
    "impute_suppressed",
    "province_specialisation_shares",
]

CLASSES: tuple[str, ...] = ("A", "B", "C", "D")
GROUPS: tuple[str, ...] = ("A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5", "B6",
                           "C1", "C2", "C3", "C4", "D1")


def impute_suppressed(resolved: pd.DataFrame, sll_totals: pd.DataFrame, *, value: str = "persons_employed",
                      by: str = "local_units") -> pd.DataFrame:
    """Fill suppressed municipal cells with the SLL's suppressed residual.

    For an SLL ``s`` with suppressed municipalities ``S``: ``R_s = max(0,
    T_s − Σ_{m ∉ S} x_m)`` where ``T_s`` is ISTAT's SLL total (Tav.42), and
    ``x_m = R_s · u_m / Σ_{j ∈ S} u_j`` for ``m ∈ S`` (``u`` = ``by``, local
    units; equal split if all are zero). Returns ``resolved`` with
    ``weight`` (published or imputed value) and ``imputed`` (bool).
    """
    if resolved["sll"].isna().any():
        raise IndicatorInputError("impute_suppressed: some municipalities have no SLL (resolve them first)")
    tot = sll_totals.loc[sll_totals.get("macro_sector", pd.Series("total", index=sll_totals.index)) == "total"]
    tot = tot.set_index("sll")[value]
    out = resolved.copy()
    missing = out[value].isna()
    out["imputed"] = missing
    out["weight"] = out[value].astype(float)
    if missing.any():
        published = out[~missing].groupby("sll")[value].sum()
        for sll, idx in out[missing].groupby("sll").groups.items():
            if sll not in tot.index or pd.isna(tot[sll]):
                raise IndicatorInputError(f"impute_suppressed: no published SLL total for SLL {sll}")
            residual = max(0.0, float(tot[sll]) - float(published.get(sll, 0.0)))
            u = out.loc[idx, by].astype(float).clip(lower=0)
            w = u / u.sum() if u.sum() > 0 else pd.Series(1.0 / len(idx), index=idx)
            out.loc[idx, "weight"] = residual * w
    return out


def assign_nuts3(resolved: pd.DataFrame, province_map: pd.DataFrame, nuts_version: int) -> pd.DataFrame:
    """Add ``nuts3`` and ``approximated`` for ``nuts_version`` (2016 or 2021).

    The province is the first three digits of the (2023) municipality code
    when the province table gives it a NUTS code of that version, else those
    of its crosswalk successor (Sardinia in NUTS 2016: the 2025 provinces).
    Raises if a municipality cannot be placed.
    """
    if nuts_version not in (2016, 2021):
        raise IndicatorInputError(f"nuts_version must be 2016 or 2021, not {nuts_version!r}")
    col = f"nuts{nuts_version}"
    pm = province_map[province_map[col].astype(str) != ""].set_index("province_prefix")
    out = resolved.copy()
    own = out["municipality"].str[:3]
    succ = out["successor"].astype(object).where(out["successor"].notna(), "").astype(str).str[:3]
    prefix = own.where(own.isin(pm.index), succ)
    out["nuts3"] = prefix.map(pm[col])
    out["approximated"] = prefix.map(pm["approximated"]).fillna(False).astype(bool)
    bad = out[out["nuts3"].isna()]
    if len(bad):
        raise IndicatorInputError(f"{len(bad)} municipality(ies) not placed in a NUTS {nuts_version} province: "
                                  f"{bad['municipality'].head(8).tolist()}")
    return out


def province_specialisation_shares(
    placed: pd.DataFrame, specialisation: pd.DataFrame, *, nuts_version: int,
    weight: str = "weight", region: str = "nuts3",
) -> pd.DataFrame:
    """Shares of province employment by SLL class and group (formula in the module docstring).

    ``placed`` (from :func:`assign_nuts3`) has ``sll``, the NUTS-3 code in
    column ``region`` (default ``nuts3``), ``weight``, ``imputed`` and
    ``approximated`` per municipality; ``specialisation`` is
    :func:`i4districts.harmonize.istat.read_sll2021_specialisation`. Every
    province gets every class and group (zero shares included).
    """
    spec = specialisation.set_index("sll")
    unknown = sorted(set(placed["sll"]) - set(spec.index))
    if unknown:
        raise IndicatorInputError(f"SLL(s) without a prevailing specialisation: {unknown[:8]}")
    odd = sorted(set(spec["class"]) - set(CLASSES)) + sorted(set(spec["group"]) - set(GROUPS))
    if odd:
        raise IndicatorInputError(f"unknown specialisation class/group code(s) {odd}; expected {CLASSES} / {GROUPS}")
    if placed[weight].isna().any() or (placed[weight] < 0).any():
        raise IndicatorInputError(f"column {weight!r} has missing or negative weights")
    work = placed.assign(_class=placed["sll"].map(spec["class"]), _group=placed["sll"].map(spec["group"]))
    prov = work.groupby(region).agg(province_employment=(weight, "sum"), approximated=("approximated", "any"))
    if (prov["province_employment"] <= 0).any():
        raise IndicatorInputError(f"provinces with no employment: {prov.index[prov['province_employment'] <= 0].tolist()}")
    frames = []
    for level, key, codes in (("class", "_class", CLASSES), ("group", "_group", GROUPS)):
        g = work.groupby([region, key]).agg(employment=(weight, "sum"), imputed=("imputed", "any"))
        full = pd.MultiIndex.from_product([prov.index, list(codes)], names=[region, key])
        g = g.reindex(full).fillna({"employment": 0.0, "imputed": False}).reset_index()
        g = g.rename(columns={key: "class"})
        g["level"] = level
        frames.append(g)
    out = pd.concat(frames, ignore_index=True).merge(prov.reset_index(), on=region)
    out["share"] = out["employment"] / out["province_employment"]
    flags = np.where(out["approximated"], "approximated", "")
    flags = np.where(out["imputed"].astype(bool), np.where(flags == "", "imputed", "approximated;imputed"), flags)
    out["flag"] = flags
    out["nuts_version"] = int(nuts_version)
    out = out.rename(columns={region: "region"})
    return out[["region", "nuts_version", "level", "class", "share", "employment", "province_employment", "flag"]]


def district_summary(shares: pd.DataFrame) -> pd.DataFrame:
    """One row per province and NUTS version: named summaries of the class shares.

    ``made_in_italy_share`` = A, ``heavy_industry_share`` = B,
    ``manufacturing_specialised_share`` = A + B, ``non_manufacturing_share`` =
    C, ``non_specialised_share`` = D, plus the ``dominant_group`` (largest
    group share), its share, ``province_employment`` and ``flag`` (union of the
    rows' flags).
    """
    keys = ["region", "nuts_version"]
    cls = shares[shares["level"] == "class"].pivot_table(index=keys, columns="class", values="share", aggfunc="sum")
    cls = cls.reindex(columns=list(CLASSES), fill_value=0.0)
    out = pd.DataFrame({
        "made_in_italy_share": cls["A"], "heavy_industry_share": cls["B"],
        "manufacturing_specialised_share": cls["A"] + cls["B"],
        "non_manufacturing_share": cls["C"], "non_specialised_share": cls["D"],
    })
    grp = shares[shares["level"] == "group"].sort_values("share", ascending=False).drop_duplicates(keys)
    grp = grp.set_index(keys)
    out["dominant_group"] = grp["class"]
    out["dominant_group_share"] = grp["share"]
    out["province_employment"] = shares.groupby(keys)["province_employment"].first()
    out["flag"] = shares.groupby(keys)["flag"].agg(
        lambda f: ";".join(sorted({p for x in f for p in str(x).split(";") if p})))
    return out.reset_index()


def district_shares_table(shared_dir: str | Path, *, nuts_versions: Sequence[int] = (2016, 2021),
                          province_map: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read ISTAT's files under ``shared_dir`` and return the tidy province shares.

    ``shared_dir`` holds ``istat_sll/`` (SLL 2021 crosswalk, specialisation,
    Frame-SBS 2023 appendix). The province → NUTS-3 table is the shipped one
    unless ``province_map`` is given. Versions are stacked (``nuts_version``).
    """
    d = Path(shared_dir)
    crosswalk = istat.read_sll2021_crosswalk(d / istat.SLL_CROSSWALK_FILE)
    spec = istat.read_sll2021_specialisation(d / istat.SLL_SPECIALISATION_FILE)
    frame = istat.read_frame_sbs_municipalities(d / istat.FRAME_SBS_FILE, 39)
    totals = istat.read_frame_sbs_sll(d / istat.FRAME_SBS_FILE, 42)
    resolved, _ = istat.resolve_municipalities(frame, crosswalk)
    filled = impute_suppressed(resolved, totals)
    pmap = istat.read_province_nuts_map() if province_map is None else province_map
    frames = [province_specialisation_shares(assign_nuts3(filled, pmap, v), spec, nuts_version=v)
              for v in nuts_versions]
    return pd.concat(frames, ignore_index=True)
