"""Sector adoption paths, shift-share exposure and the declared outcome model of a synthetic world.

**Adoption** (robot use, percent of enterprises) of division ``k`` in year ``t``::

    a_kt = A_k / (1 + exp(-v_k (t - h_k)))

with ceiling ``A_k ~ U(range of the division's profile)`` (:data:`.divisions.ADOPTION`: heavy
manufacturing 35-75, light manufacturing 15-45, services 1-12 ...), speed ``v_k ~ U(0.25, 0.6)``
per year and midpoint ``h_k ~ U(t0 + 0.2 L, t0 + 0.9 L)`` (``L`` = number of years - 1).

**Periods** ``p = (t_p, t'_p)``: ``n_periods`` consecutive stacked periods whose bounds are
``round(linspace(t0, T, n_periods + 1))``.

**Exposure** (shift-share, base-year shares, percentage points)::

    X_rp = Σ_k s_rk,t0 · (a_k,t'_p - a_k,t_p)

where ``s_rk,t0`` is division ``k``'s share of SLL ``r``'s persons employed in the first year,
computed from the generated employment table itself.

**Outcome** (log points, 100 × Δ ln employment over the period)::

    y_rp = α_p + β X_rp + γ X_rp D_r + θ D_r + δ m_r + ε_rp,   ε_rp ~ N(0, σ²) i.i.d.

with ``D_r`` = 1 for planted districts, ``m_r`` the base-year manufacturing share (0-1) and the
coefficients of :data:`.truth.OUTCOME_COEFFICIENTS` / :data:`.truth.PERIOD_EFFECTS`. The SLL's
cumulative log growth ``G_rt`` is 0 in the first year, ``Σ_{q<=p} y_rq / 100`` at the end of
period ``p`` and linear within a period; employment cells are scaled by ``exp(G_rt)``
(:func:`.employment.expand_years`, with each SLL's total rounded to ``rint(E_r,t0 exp(G_rt))``), so
the observed ``d_ln_employment`` equals ``y_rp`` up to the rounding of the SLL totals to whole
persons (at most ``100 / E`` log points; the largest deviation is recorded in the truth).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .divisions import ADOPTION, division_table
from .truth import OUTCOME_COEFFICIENTS, PERIOD_EFFECTS

ADOPTION_UNIT = "% of enterprises"


def adoption_paths(years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Robot-use share ``a_kt`` (88 divisions x years), percent of enterprises (module docstring)."""
    t = division_table()
    lo_hi = np.array([ADOPTION[p] for p in t["profile"]])
    k = len(t)
    ceiling = rng.uniform(lo_hi[:, 0], lo_hi[:, 1])
    speed = rng.uniform(0.25, 0.6, k)
    span = max(int(years[-1] - years[0]), 1)
    mid = rng.uniform(years[0] + 0.2 * span, years[0] + 0.9 * span, k)
    return ceiling[:, None] / (1.0 + np.exp(-speed[:, None] * (years[None, :] - mid[:, None])))


def period_bounds(first_year: int, n_years: int, n_periods: int) -> list[tuple[int, int]]:
    """Consecutive stacked periods covering ``first_year .. first_year + n_years - 1``."""
    b = np.round(np.linspace(first_year, first_year + n_years - 1, n_periods + 1)).astype(int)
    return [(int(b[i]), int(b[i + 1])) for i in range(n_periods)]


def period_label(p: tuple[int, int]) -> str:
    return f"{p[0]}-{p[1]}"


def period_effects(n_periods: int) -> np.ndarray:
    return np.array([PERIOD_EFFECTS[i % len(PERIOD_EFFECTS)] for i in range(n_periods)])


def draw_outcomes(shares: np.ndarray, shifts: np.ndarray, district: np.ndarray, manufacturing: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exposure ``X`` (R x P), model outcome ``y`` (R x P) and the error ``ε`` from the declared model.

    ``shares`` R x K base-year shares, ``shifts`` K x P adoption changes (percentage points).
    """
    c = OUTCOME_COEFFICIENTS
    X = shares @ shifts
    P = shifts.shape[1]
    eps = c["sigma"] * rng.standard_normal(X.shape)
    D = district.astype(float)[:, None]
    y = (period_effects(P)[None, :] + c["beta"] * X + c["gamma"] * X * D + c["theta"] * D
         + c["delta"] * manufacturing[:, None] + eps)
    return X, y, eps


def growth_paths(y: np.ndarray, periods: list[tuple[int, int]], years: np.ndarray) -> np.ndarray:
    """Cumulative log growth ``G_rt`` (R x T): 0 at the first year, piecewise linear through the periods."""
    knots = np.array([periods[0][0], *[p[1] for p in periods]], dtype=float)
    level = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(y / 100.0, axis=1)], axis=1)
    out = np.empty((y.shape[0], years.size))
    for j, year in enumerate(years):
        i = min(int(np.searchsorted(knots, year, side="right")) - 1, len(periods) - 1)
        w = (year - knots[i]) / (knots[i + 1] - knots[i])
        out[:, j] = level[:, i] + w * (level[:, i + 1] - level[:, i])
    return out


def outcome_frame(sll: pd.DataFrame, periods: list[tuple[int, int]], totals: np.ndarray, years: np.ndarray,
                  X: np.ndarray, district: np.ndarray, manufacturing: np.ndarray) -> pd.DataFrame:
    """SLL × period frame: observed ``d_ln_employment`` (from ``totals``, R x T persons) and the regressors."""
    rows = []
    pos = {int(y): j for j, y in enumerate(years)}
    D = district.astype(float)
    for i, (t0, t1) in enumerate(periods):
        e0, e1 = totals[:, pos[t0]], totals[:, pos[t1]]
        rows.append(pd.DataFrame({
            "region": sll["sll"].to_numpy(), "period": period_label((t0, t1)), "period_index": i + 1,
            "start": t0, "end": t1, "d_ln_employment": 100.0 * (np.log(e1) - np.log(e0)),
            "employment_start": e0.astype(float), "exposure": X[:, i], "district": D,
            "exposure_x_district": X[:, i] * D, "manufacturing_share": manufacturing,
            "nuts3": sll["nuts3"].to_numpy(), "nuts2": sll["nuts2"].to_numpy(),
            "macro_area": sll["nuts3"].str.slice(0, 3).to_numpy(),
        }))
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["region", "period_index"], ignore_index=True)


def expected_outcome(outcomes: pd.DataFrame, truth: dict) -> np.ndarray:
    """The model's systematic part ``α_p + β X + γ X D + θ D + δ m`` for each row of ``outcomes``.

    With it, a test can redraw ``y = expected + σ z`` on a fixed world (Monte Carlo over the error).
    """
    model = truth["outcome_model"]
    c = model["coefficients"]
    alpha = outcomes["period"].map(model["alpha"]).to_numpy(dtype=float)
    return (alpha + c["beta"] * outcomes["exposure"].to_numpy() + c["gamma"] * outcomes["exposure_x_district"].to_numpy()
            + c["theta"] * outcomes["district"].to_numpy() + c["delta"] * outcomes["manufacturing_share"].to_numpy())


def stacked_share_matrix(outcomes: pd.DataFrame, shares: pd.DataFrame,
                         shifts: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str, str]], np.ndarray]:
    """Share matrix of the stacked design, rows aligned with ``outcomes``: ``(W, columns, g)``.

    Column ``(period, sector)`` of row ``(r, p)`` holds ``s_rk`` when the row's period is ``p``
    (0 otherwise), and ``g`` stacks the shifts in the same order, so ``W @ g`` is the exposure.
    This is the design for AKM inference and placebo shifts (:mod:`i4districts.shiftshare`).
    """
    periods = sorted(outcomes["period"].unique())
    sectors = sorted(shares["sector"].unique())
    regions = pd.Index(sorted(outcomes["region"].unique()))
    S = np.zeros((len(regions), len(sectors)))
    S[regions.get_indexer(shares["region"]), pd.Index(sectors).get_indexer(shares["sector"])] = shares["share"]
    K = len(sectors)
    W = np.zeros((len(outcomes), K * len(periods)))
    rows = regions.get_indexer(outcomes["region"])
    per = pd.Index(periods).get_indexer(outcomes["period"])
    for j in range(len(periods)):
        sel = per == j
        W[np.flatnonzero(sel), j * K:(j + 1) * K] = S[rows[sel]]
    wide = shifts.pivot(index="sector", columns="period", values="shift").reindex(index=sectors, columns=periods)
    g = wide.to_numpy().T.ravel()
    columns = [(p, k) for p in periods for k in sectors]
    return W, columns, g
