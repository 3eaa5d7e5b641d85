"""Monte Carlo: unbiasedness and coverage of 95% clustered intervals (known b_x = 1.5).

DGP (i4districts.estimation.simulate): two-way effects, x correlated with the entity
effect, errors with a cluster × period shock (40 clusters of entities), so that the
errors are correlated within clusters. Two-way FE, CR1 (cr1_nested) clustered by cluster.
The long version (600 replications, marked slow) requires coverage in [0.93, 0.97];
the short one (120 replications, default run) a band of about ±3 binomial s.d.
"""

from __future__ import annotations

import numpy as np
import pytest

from i4districts.estimation import ModelSpec, fit
from i4districts.estimation.simulate import simulate_panel

SPEC = ModelSpec.from_dict({"outcome": "y", "regressors": ["x", "z"], "entity": "geo", "time": "year",
                            "effects": ["entity", "time"], "cov": {"type": "clustered", "cluster": "cluster"}})


def _run(reps: int, seed0: int) -> tuple[np.ndarray, np.ndarray]:
    est, cover = np.empty(reps), np.empty(reps, dtype=bool)
    for r in range(reps):
        df = simulate_panel(120, 6, n_clusters=40, cluster_sd=1.0, seed=seed0 + r)
        row = fit(df, SPEC).coefficients.set_index("term").loc["x"]
        est[r] = row.estimate
        cover[r] = row.ci_low <= 1.5 <= row.ci_high
    return est, cover


def test_monte_carlo_short():
    est, cover = _run(120, 10_000)
    se_mean = est.std(ddof=1) / np.sqrt(len(est))
    assert abs(est.mean() - 1.5) < 4 * se_mean
    assert 0.88 <= cover.mean() <= 0.995


@pytest.mark.slow
def test_monte_carlo_long():
    est, cover = _run(600, 20_000)
    se_mean = est.std(ddof=1) / np.sqrt(len(est))
    assert abs(est.mean() - 1.5) < 3 * se_mean
    assert 0.93 <= cover.mean() <= 0.97
