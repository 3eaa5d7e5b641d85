"""Simulated panels with known coefficients (tests, Monte Carlo, benchmarks).

``y_it = b_x x_it + b_z z_it + a_i + g_t + u_it`` where ``x`` is correlated with the
entity effect ``a_i`` (so pooled OLS is biased and the within estimator is not), and
``u_it = c_{k(i),t} + e_it`` has a cluster-level shock ``c`` shared by the entities of
cluster ``k`` in a period (correlation within clusters).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_panel"]


def simulate_panel(
    n_entities: int = 60,
    n_periods: int = 8,
    *,
    beta: tuple[float, float] = (1.5, -0.5),
    n_clusters: int | None = None,
    cluster_sd: float = 0.0,
    drop_share: float = 0.0,
    seed: int = 0,
    start_year: int = 2000,
) -> pd.DataFrame:
    """Tidy panel: ``geo``, ``year``, ``cluster``, ``x``, ``z``, ``d`` (0/1 flag), ``w``, ``y``.

    ``drop_share`` removes that share of rows at random (an unbalanced panel).
    """
    rng = np.random.default_rng(seed)
    n = n_entities * n_periods
    ent = np.repeat(np.arange(n_entities), n_periods)
    per = np.tile(np.arange(n_periods), n_entities)
    n_clusters = n_clusters or n_entities
    clus_of_ent = rng.integers(0, n_clusters, n_entities) if n_clusters < n_entities else np.arange(n_entities)
    clus = clus_of_ent[ent]
    a = rng.normal(size=n_entities)[ent]
    g = rng.normal(size=n_periods)[per]
    c = rng.normal(scale=cluster_sd, size=(n_clusters, n_periods))[clus, per]
    x = 0.7 * a + rng.normal(size=n) + 0.5 * rng.normal(size=n_clusters)[clus]
    z = rng.normal(size=n)
    d = (rng.random(n_entities) < 0.4).astype(float)[ent]
    u = c + rng.normal(size=n)
    y = beta[0] * x + beta[1] * z + a + g + u
    df = pd.DataFrame(
        {
            "geo": [f"R{i:04d}" for i in ent],
            "year": start_year + per,
            "cluster": [f"C{k:03d}" for k in clus],
            "x": x,
            "z": z,
            "d": d,
            "w": rng.uniform(0.5, 2.0, n_entities)[ent],
            "y": y,
        }
    )
    if drop_share > 0:
        keep = rng.random(n) >= drop_share
        df = df.loc[keep].reset_index(drop=True)
    return df
