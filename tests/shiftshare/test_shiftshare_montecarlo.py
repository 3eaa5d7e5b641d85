"""Monte Carlo: AKM intervals cover at the nominal rate in a shift-share design.

Design (AKM 2019, Section V): fixed shares W (N = 600 regions, S = 200
sectors, Dirichlet(0.3) weights times 0.8, so 20% of employment is outside
the sectors), controls Z = (1, z). Each replication draws the shifters
Xs ~ N(0, 1) and sector-level shocks eta ~ N(0, 4), and sets
X = W Xs, eps = W eta + 0.5 nu (nu ~ N(0, 1)), y = beta X + Z delta + eps
with beta = 1. Residuals of regions with similar shares are correlated, so
EHW intervals under-cover while AKM intervals are valid as S grows.
"""

from __future__ import annotations

import numpy as np
import pytest

from i4districts.shiftshare import ivreg_ss, reg_ss, share_design

BETA = 1.0


def _coverage(reps: int, seed: int = 20190401) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    n, s = 600, 200
    W = rng.dirichlet(np.full(s, 0.3), size=n) * 0.8
    Z = np.column_stack([np.ones(n), rng.normal(size=n)])
    design = share_design(W)
    hits = {"akm": 0, "akm0": 0, "ehw": 0}
    est = np.empty(reps)
    for r in range(reps):
        xs = rng.normal(size=s)
        X = W @ xs
        eps = W @ (2.0 * rng.normal(size=s)) + 0.5 * rng.normal(size=n)
        y = BETA * X + Z @ np.array([0.3, 0.2]) + eps
        res = reg_ss(y, X, design, Z, methods=["ehw", "akm", "akm0"], beta0=BETA)
        est[r] = res.estimate
        for m in hits:
            mr = res.method(m)
            if mr.ci_type == "interval":
                hits[m] += mr.ci_low <= BETA <= mr.ci_high
            elif mr.ci_type == "complement":
                hits[m] += not (mr.ci_high < BETA < mr.ci_low)
            else:
                hits[m] += 1
    out = {m: h / reps for m, h in hits.items()}
    out["bias"] = float(est.mean() - BETA)
    out["mc_se_of_mean"] = float(est.std(ddof=1) / np.sqrt(reps))
    return out


def _covered(mr, truth: float) -> bool:
    if mr.ci_type == "interval":
        return mr.ci_low <= truth <= mr.ci_high
    if mr.ci_type == "complement":
        return not (mr.ci_high < truth < mr.ci_low)
    return True


def _coverage_iv(reps: int, seed: int = 7) -> dict[str, float]:
    """IV design: same W, Z; y2 = X + v, y1 = -0.5 y2 + Z delta + eps with
    eps = W eta + 0.5 nu and v = 0.5 eps + W zeta + 0.3 mu (endogenous y2)."""
    rng = np.random.default_rng(seed)
    n, s, beta = 600, 200, -0.5
    W = rng.dirichlet(np.full(s, 0.3), size=n) * 0.8
    Z = np.column_stack([np.ones(n), rng.normal(size=n)])
    design = share_design(W)
    hits = {"akm": 0, "akm0": 0, "ehw": 0}
    for _ in range(reps):
        X = W @ rng.normal(size=s)
        eps = W @ (2.0 * rng.normal(size=s)) + 0.5 * rng.normal(size=n)
        v = 0.5 * eps + W @ rng.normal(size=s) + 0.3 * rng.normal(size=n)
        y2 = X + v
        y1 = beta * y2 + Z @ np.array([0.3, 0.2]) + eps
        res = ivreg_ss(y1, y2, X, design, Z, methods=["ehw", "akm", "akm0"], beta0=beta)
        for m in hits:
            hits[m] += _covered(res.method(m), beta)
    return {m: h / reps for m, h in hits.items()}


def test_akm_coverage_short():
    """150 replications (about 0.5 s): coverage within 3 Monte Carlo SEs
    (sqrt(.95 * .05 / 150) = 0.018) of 0.95, estimate unbiased."""
    cov = _coverage(150)
    assert 0.89 <= cov["akm"] <= 1.0
    assert 0.89 <= cov["akm0"] <= 1.0
    assert abs(cov["bias"]) < 4 * cov["mc_se_of_mean"]


@pytest.mark.slow
def test_akm_coverage_long():
    """2000 replications: AKM and AKM0 coverage in [0.93, 0.97]; EHW
    under-covers (the problem AKM solves); the OLS estimate is unbiased."""
    cov = _coverage(2000)
    assert 0.93 <= cov["akm"] <= 0.97, cov
    assert 0.93 <= cov["akm0"] <= 0.97, cov
    assert cov["ehw"] < 0.92, cov
    assert abs(cov["bias"]) < 4 * cov["mc_se_of_mean"], cov


@pytest.mark.slow
def test_akm_iv_coverage_long():
    """2000 replications of the IV design: AKM and AKM0 cover in [0.93, 0.97]."""
    cov = _coverage_iv(2000)
    assert 0.93 <= cov["akm"] <= 0.97, cov
    assert 0.93 <= cov["akm0"] <= 0.97, cov
