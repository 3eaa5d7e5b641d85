"""Polarization: job polarization by occupation tiers and distributional polarization indices.

Job polarization (Goos, Manning & Salomons 2014, *AER* 104(8)): occupations
are grouped into low-, middle- and high-paying tiers; polarization is the fall
of the middle tier's employment share relative to both tails.
:data:`GMS_TIERS` (file ``data/gms_tiers.json``) holds GMS's ISCO-88 2-digit
grouping (default; GMS 2014 Table 2), its ISCO-08 2-digit counterpart
(``isco08_2digit``: every ISCO-08 sub-major group gets the tier of the ISCO-88
groups it comes from in the ILO ISCO-08/ISCO-88 correspondence, with the same
exclusions: armed forces, legislators and senior officials, teaching,
agriculture and fishery; the residual cross-tier unit groups are listed in the
file's note) and an ISCO-08 major-group approximation. For LFS series that
switch from ISCO-88 to ISCO-08 in 2011, ``occupation_tier_shares(...,
switch=2011)`` applies ``isco88_2digit`` before 2011 and ``isco08_2digit``
from 2011, so the switch is not a mechanical break in the tier shares.

Distributional polarization on a variable ``y`` with population weights ``w``
(normalised within each group to shares ``pi``):

* Esteban & Ray (1994, *Econometrica* 62(4)):
  ``ER = K sum_i sum_j pi_i**(1 + alpha) pi_j |y_i - y_j|`` with sensitivity
  ``alpha`` in (0, 1.6] and normalisation constant ``K``; ``relative=True``
  uses ``y / mu`` (mean-normalised, scale invariant). 0 for a single group.
* Duclos, Esteban & Ray (2004, *Econometrica* 72(6)):
  ``P_alpha = integral f(y)**alpha a(y) dF(y)``, ``a(y) = integral |y - x| dF(x)``,
  estimated as ``sum_i pi_i fhat(y_i)**alpha ahat(y_i)`` with a Gaussian kernel
  density ``fhat`` and DER's rule-of-thumb bandwidth
  ``h = 4.7 n**(-1/2) sigma alpha**0.1`` (DER 2004, sec. 4; ``sigma`` the
  weighted standard deviation, ``n`` the number of observations), on incomes
  divided by their mean (``normalize=True``). ``ahat`` is the exact empirical
  mean absolute deviation around ``y_i``. With ``alpha = 0`` it is the mean
  difference, ``2 Gini`` for mean-normalised data.
* Wolfson (1994, *AER P&P* 84(2)): ``W = 2 (mu / m) (1 - 2 L(1/2) - G)``
  with ``m`` the median, ``L(1/2)`` the Lorenz ordinate at the median
  population share and ``G`` the Gini (``W = 2(2T - G)/mtan``, ``T = 1/2 - L(1/2)``).
  Discrete data: the Lorenz curve is piecewise linear through the cumulative
  points; the median is the ``y`` whose cumulative-share interval contains
  1/2 (the average of the two neighbours when a cumulative share equals 1/2
  exactly, to 1e-12), consistent with that Lorenz curve.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources

import numpy as np
import pandas as pd

from ._core import (
    IndicatorInputError,
    Missing,
    check_unique,
    codes,
    counts,
    group_codes,
    require_columns,
    safe_divide,
    segment_starts,
    segmented_cumsum,
)

TIERS: tuple[str, ...] = ("low", "middle", "high")


def _load_gms() -> dict[str, dict[str, str]]:
    raw = json.loads(resources.files(__package__).joinpath("data/gms_tiers.json").read_text())
    out: dict[str, dict[str, str]] = {}
    for scheme, tiers in raw.items():
        if scheme.startswith("_"):
            continue
        out[scheme] = {code: tier for tier, codes_ in tiers.items() for code in codes_}
    return out


#: scheme -> {occupation code: "low" | "middle" | "high" | "excluded"}
GMS_TIERS: dict[str, dict[str, str]] = _load_gms()


def occupation_tier_shares(
    emp: pd.DataFrame,
    *,
    region: str = "region",
    occupation: str = "isco",
    time: str = "year",
    value: str = "value",
    mapping: Mapping[str, str] | None = None,
    scheme: str = "isco88_2digit",
    missing: Missing = "raise",
    switch: object | None = None,
    scheme_after: str = "isco08_2digit",
) -> pd.DataFrame:
    """Employment and employment shares by occupation tier per region × time.

    ``mapping`` (occupation code -> "low"/"middle"/"high"/"excluded"; codes
    compared as strings) defaults to ``GMS_TIERS[scheme]``. With ``switch``
    (e.g. 2011, the LFS's ISCO-88 -> ISCO-08 change), rows with
    ``time >= switch`` are mapped with ``GMS_TIERS[scheme_after]`` instead. Shares are over
    the three tiers (excluded occupations are left out of the denominator and
    reported as ``employment_excluded``); an occupation missing from the
    mapping raises. Columns: region, time, ``employment_<tier>``,
    ``employment_excluded``, ``share_<tier>`` (fractions summing to 1).
    """
    table = "emp"
    require_columns(emp, [region, occupation, time, value], table)
    mapping = _tier_mapping(mapping, scheme)
    after = None if switch is None else _tier_mapping(None, scheme_after)
    r, regions = codes(emp[region], table)
    o, occs = codes(emp[occupation], table)
    t, times = codes(emp[time], table)
    check_unique([r, o, t], [len(regions), len(occs), len(times)], emp, [region, occupation, time], table)
    v = counts(emp, value, table, missing)
    late = np.zeros(len(emp), dtype=bool) if switch is None else (emp[time] >= switch).to_numpy()
    k = np.empty(len(emp), dtype=np.intp)
    for m_, rows in ((mapping, ~late), (after, late)):
        if m_ is None or not rows.any():
            continue
        tier_of = [m_.get(str(x)) for x in occs]
        used = np.bincount(o[rows], minlength=len(occs)) > 0
        unmapped = [x for x, tier, u in zip(occs, tier_of, used) if tier is None and u]
        if unmapped:
            raise IndicatorInputError(
                f"{table}: occupation codes in column {occupation!r} not in the tier mapping: {unmapped[:8]}"
            )
        tier_code = np.array([(*TIERS, "excluded").index(x) if x else 3 for x in tier_of], dtype=np.intp)
        k[rows] = tier_code[o[rows]]
    nt = len(times)
    g = r * nt + t
    m = len(regions) * nt
    E = np.bincount(g * 4 + k, weights=v, minlength=m * 4).reshape(m, 4)
    gi = np.flatnonzero(np.bincount(g, minlength=m) > 0)
    out = pd.DataFrame({region: regions.take(gi // nt), time: times.take(gi % nt)})
    for j, name in enumerate((*TIERS, "excluded")):
        out[f"employment_{name}"] = E[gi, j]
    denom = E[gi, :3].sum(axis=1)
    for j, name in enumerate(TIERS):
        out[f"share_{name}"] = safe_divide(E[gi, j], denom)
    return out


def _tier_mapping(mapping: Mapping[str, str] | None, scheme: str) -> dict[str, str]:
    """``mapping`` (codes as strings) or the built-in ``GMS_TIERS[scheme]``, with its tiers checked."""
    if mapping is None:
        if scheme not in GMS_TIERS:
            raise IndicatorInputError(f"scheme={scheme!r}: choose one of {sorted(GMS_TIERS)}")
        mapping = GMS_TIERS[scheme]
    mapping = {str(k): v for k, v in mapping.items()}
    bad_tiers = sorted({v for v in mapping.values() if v not in (*TIERS, "excluded")})
    if bad_tiers:
        raise IndicatorInputError(f"mapping: tiers must be {TIERS} or 'excluded', got {bad_tiers}")
    return mapping


def tier_share_changes(
    shares: pd.DataFrame, *, start: object, end: object, region: str = "region", time: str = "year"
) -> pd.DataFrame:
    """Change in tier shares between two times, in percentage points: ``100 (share_end - share_start)``.

    ``shares`` is the output of :func:`occupation_tier_shares`. Columns: region,
    ``change_low, change_middle, change_high`` (sum to 0) and ``polarized``
    (middle share fell while both low and high shares rose).
    """
    require_columns(shares, [region, time, *(f"share_{t}" for t in TIERS)], "shares")
    cols = [f"share_{t}" for t in TIERS]
    a = shares.loc[shares[time] == start].set_index(region)[cols]
    b = shares.loc[shares[time] == end].set_index(region)[cols]
    for label, frame in (("start", a), ("end", b)):
        if frame.empty:
            raise IndicatorInputError(f"shares: no rows with {time} == {start if label == 'start' else end!r}")
    lost = a.index.symmetric_difference(b.index)
    if len(lost):
        raise IndicatorInputError(f"shares: regions present in only one of the two times: {list(lost[:5])}")
    d = (b - a.loc[b.index]) * 100.0
    out = pd.DataFrame({region: b.index})
    for t in TIERS:
        out[f"change_{t}"] = d[f"share_{t}"].to_numpy()
    out["polarized"] = (out["change_middle"] < 0) & (out["change_low"] > 0) & (out["change_high"] > 0)
    return out


def routine_intensity(
    emp: pd.DataFrame,
    rti: pd.DataFrame,
    *,
    region: str = "region",
    occupation: str = "isco",
    time: str = "year",
    value: str = "value",
    quantile: float = 2 / 3,
    threshold: float | None = None,
    base_time: object | None = None,
) -> pd.DataFrame:
    """Mean routine-task intensity and routine employment share per region × time.

    ``rti`` maps occupations to an RTI score (columns occupation, ``"rti"``),
    e.g. Autor & Dorn (2013) or Mihaylov & Tijdens (2019) crosswalked to ISCO.
    ``mean_rti = sum_o s_ro RTI_o`` (employment-weighted). ``routine_share`` is the
    employment share of occupations with ``RTI > threshold``; by default the
    threshold is the employment-weighted ``quantile`` (2/3: the routine
    occupations are the top third, Autor & Dorn 2013) of RTI over the whole
    table in ``base_time`` (default: the first time).
    """
    require_columns(emp, [region, occupation, time, value], "emp")
    require_columns(rti, [occupation, "rti"], "rti")
    if rti[occupation].astype(str).duplicated().any():
        raise IndicatorInputError(f"rti: duplicate occupation codes in column {occupation!r}")
    score = dict(zip(rti[occupation].astype(str), rti["rti"].astype(float)))
    occ = emp[occupation].astype(str)
    lacking = sorted(set(occ) - set(score))
    if lacking:
        raise IndicatorInputError(f"rti: no score for occupation codes {lacking[:8]} (column {occupation!r})")
    x = occ.map(score).to_numpy(dtype=float)
    v = counts(emp, value, "emp", "raise")
    if threshold is None:
        if not 0 < quantile < 1:
            raise IndicatorInputError(f"quantile={quantile}: must lie in (0, 1)")
        tv = emp[time]
        base = tv.min() if base_time is None else base_time
        sel = (tv == base).to_numpy()
        if not sel.any():
            raise IndicatorInputError(f"emp: no rows with {time} == {base!r}")
        order = np.argsort(x[sel], kind="stable")
        cw = np.cumsum(v[sel][order])
        threshold = float(x[sel][order][np.searchsorted(cw, quantile * cw[-1], side="left")])
    routine = x > threshold
    gcode, frame = group_codes(emp, [region, time], "emp")
    n = len(frame)
    E = np.bincount(gcode, weights=v, minlength=n)
    out = frame.copy()
    out["mean_rti"] = safe_divide(np.bincount(gcode, weights=v * x, minlength=n), E)
    out["routine_share"] = safe_divide(np.bincount(gcode, weights=np.where(routine, v, 0.0), minlength=n), E)
    out["rti_threshold"] = threshold
    return out


# ---------------------------------------------------------------- distributional indices
def _prepare(
    df: pd.DataFrame, value: str, weight: str | None, by: Sequence[str] | None, table: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame, np.ndarray]:
    """Sorted (group, y) arrays with weights normalised to shares within each group."""
    require_columns(df, [value] + ([weight] if weight else []), table)
    y = df[value].to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(y).any() or np.isinf(y).any():
        bad = df.loc[~np.isfinite(y)].head(5)
        raise IndicatorInputError(f"{table}: column {value!r} has missing or infinite values, e.g.\n{bad.to_string()}")
    w = counts(df, weight, table, "raise") if weight else np.ones(y.size)
    g, frame = group_codes(df, list(by) if by else None, table)
    W = np.bincount(g, weights=w, minlength=len(frame))
    if (W <= 0).any():
        raise IndicatorInputError(
            f"{table}: groups with total weight 0 in column {weight!r}: {frame.loc[W <= 0].head(5).to_dict('records')}"
        )
    order = np.lexsort((y, g))
    gs, ys = g[order], y[order]
    pi = w[order] / W[gs]
    return gs, ys, pi, frame, order


def _abs_dev(gs: np.ndarray, ys: np.ndarray, pi: np.ndarray, ngroups: int) -> tuple[np.ndarray, np.ndarray]:
    """``a_i = sum_j pi_j |y_i - y_j|`` within groups (rows sorted by group then y) and group means."""
    P = segmented_cumsum(pi, gs)
    S = segmented_cumsum(pi * ys, gs)
    mu = np.bincount(gs, weights=pi * ys, minlength=ngroups)
    a = ys * P - S + (mu[gs] - S) - ys * (1.0 - P)
    return np.maximum(a, 0.0), mu


def esteban_ray(
    df: pd.DataFrame,
    *,
    value: str,
    weight: str | None = None,
    by: Sequence[str] | None = None,
    alpha: float = 1.0,
    K: float = 1.0,
    relative: bool = False,
) -> pd.DataFrame:
    """Esteban–Ray polarization ``K sum_ij pi_i**(1+alpha) pi_j |y_i - y_j|`` per group of rows.

    Grouped data: each row is a population group with mean ``value`` and
    population ``weight`` (normalised to shares within each ``by`` group).
    ``alpha`` must lie in (0, 1.6]. ``relative=True`` divides ``y`` by the
    weighted mean first. Columns: ``by...``, ``"esteban_ray"``, ``"mean"``.
    Reference: Esteban & Ray (1994), *Econometrica* 62(4), Theorem 1.
    """
    if not 0 < alpha <= 1.6:
        raise IndicatorInputError(f"alpha={alpha}: Esteban–Ray requires alpha in (0, 1.6]")
    gs, ys, pi, frame, _ = _prepare(df, value, weight, by, "esteban_ray input")
    n = len(frame)
    a, mu = _abs_dev(gs, ys, pi, n)
    if relative:
        if (mu <= 0).any():
            raise IndicatorInputError(f"relative=True needs a positive mean of {value!r} in every group")
        a = a / mu[gs]
    er = K * np.bincount(gs, weights=pi ** (1.0 + alpha) * a, minlength=n)
    out = frame.reset_index(drop=True)
    out["esteban_ray"] = er
    out["mean"] = mu
    return out


def der_bandwidth(n: int, sigma: float, alpha: float) -> float:
    """DER (2004) rule-of-thumb bandwidth ``h = 4.7 n**(-1/2) sigma alpha**0.1`` (Gaussian kernel)."""
    return 4.7 * n**-0.5 * sigma * alpha**0.1


def duclos_esteban_ray(
    df: pd.DataFrame,
    *,
    value: str,
    weight: str | None = None,
    by: Sequence[str] | None = None,
    alpha: float = 0.5,
    bandwidth: float | None = None,
    normalize: bool = True,
    chunk: int = 2048,
) -> pd.DataFrame:
    """Duclos–Esteban–Ray polarization ``sum_i pi_i fhat(y_i)**alpha ahat(y_i)`` per group.

    ``fhat`` is a weighted Gaussian kernel density with bandwidth ``bandwidth``
    or, by default, :func:`der_bandwidth` computed on the (normalised) data of
    each group. ``alpha`` in [0, 1] (DER use 0.25–1). Kernel sums cost
    O(n**2) per group and are evaluated in chunks of ``chunk`` rows.
    Columns: ``by...``, ``"der"``, ``"bandwidth"``, ``"n"``.
    """
    if not 0 <= alpha <= 1:
        raise IndicatorInputError(f"alpha={alpha}: Duclos–Esteban–Ray requires alpha in [0, 1]")
    gs, ys, pi, frame, _ = _prepare(df, value, weight, by, "duclos_esteban_ray input")
    n_groups = len(frame)
    mu = np.bincount(gs, weights=pi * ys, minlength=n_groups)
    if normalize:
        if (mu <= 0).any():
            raise IndicatorInputError(f"normalize=True needs a positive mean of {value!r} in every group")
        ys = ys / mu[gs]
    a, mu_n = _abs_dev(gs, ys, pi, n_groups)
    var = np.bincount(gs, weights=pi * (ys - mu_n[gs]) ** 2, minlength=n_groups)
    counts_g = np.bincount(gs, minlength=n_groups)
    starts = np.flatnonzero(segment_starts(gs))
    ends = np.append(starts[1:], gs.size)
    der = np.zeros(n_groups)
    hs = np.zeros(n_groups)
    for gi, (lo, hi) in enumerate(zip(starts, ends)):  # loop over groups: the O(n^2) kernel dominates
        k = gs[lo]
        h = bandwidth if bandwidth is not None else der_bandwidth(hi - lo, float(np.sqrt(var[k])), alpha)
        hs[k] = h
        if alpha == 0:
            der[k] = float(np.dot(pi[lo:hi], a[lo:hi]))
            continue
        if not h > 0:
            raise IndicatorInputError(
                f"bandwidth {h} is not positive for group {frame.iloc[k].to_dict()} (constant data?)"
            )
        yk, pk = ys[lo:hi], pi[lo:hi]
        f = np.empty(hi - lo)
        for c0 in range(0, hi - lo, chunk):
            z = (yk[c0 : c0 + chunk, None] - yk[None, :]) / h
            f[c0 : c0 + chunk] = (np.exp(-0.5 * z * z) @ pk) / (h * np.sqrt(2 * np.pi))
        der[k] = float(np.dot(pk, f**alpha * a[lo:hi]))
    out = frame.reset_index(drop=True)
    out["der"] = der
    out["bandwidth"] = hs
    out["n"] = counts_g
    return out


def wolfson(
    df: pd.DataFrame, *, value: str, weight: str | None = None, by: Sequence[str] | None = None
) -> pd.DataFrame:
    """Wolfson bipolarization ``W = 2 (mu / m) (1 - 2 L(1/2) - G)`` per group (conventions in the module doc).

    Columns: ``by...``, ``"wolfson"``, ``"gini"``, ``"median"``, ``"mean"``, ``"lorenz_half"``.
    Requires non-negative values and a positive median.
    """
    gs, ys, pi, frame, _ = _prepare(df, value, weight, by, "wolfson input")
    if (ys < 0).any():
        raise IndicatorInputError(f"wolfson input: column {value!r} must be non-negative")
    n = len(frame)
    a, mu = _abs_dev(gs, ys, pi, n)
    gini = safe_divide(0.5 * np.bincount(gs, weights=pi * a, minlength=n), mu)
    P = segmented_cumsum(pi, gs)
    L = segmented_cumsum(pi * ys, gs) / mu[gs]
    start = segment_starts(gs)
    P_prev = np.where(start, 0.0, np.roll(P, 1))
    L_prev = np.where(start, 0.0, np.roll(L, 1))
    # the row whose cumulative interval (P_prev, P] contains 1/2
    hit = (P_prev < 0.5 - 1e-12) & (P >= 0.5 - 1e-12)
    k = np.flatnonzero(hit)
    gk = gs[k]
    frac = (0.5 - P_prev[k]) / (P[k] - P_prev[k])
    lorenz_half = np.empty(n)
    lorenz_half[gk] = L_prev[k] + frac * (L[k] - L_prev[k])
    median = np.empty(n)
    exact = np.abs(P[k] - 0.5) <= 1e-12
    nxt = np.minimum(k + 1, gs.size - 1)
    median[gk] = np.where(exact, 0.5 * (ys[k] + ys[nxt]), ys[k])
    if (median <= 0).any():
        raise IndicatorInputError(f"wolfson input: the median of {value!r} must be positive in every group")
    out = frame.reset_index(drop=True)
    out["wolfson"] = 2.0 * (mu / median) * (1.0 - 2.0 * lorenz_half - gini)
    out["gini"] = gini
    out["median"] = median
    out["mean"] = mu
    out["lorenz_half"] = lorenz_half
    return out
