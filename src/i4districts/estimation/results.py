"""Immutable panel-estimation results (the :class:`~i4districts.results.ResultProtocol`).

Writers are atomic (:mod:`i4districts.io`), never pickle. ``.vcov(new)`` re-fits the
same spec on the same data with another covariance and returns a NEW result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from i4districts.results import ResultProtocol

__all__ = ["Term", "EstimationResult", "coefficient_table", "CORRECTION_LABELS", "COV_LABELS"]

COEF_COLUMNS = ["term", "estimate", "std_error", "t", "p", "ci_low", "ci_high"]

#: Named small-sample corrections (formulas in :mod:`i4districts.estimation.covariance`).
CORRECTION_LABELS: dict[str, str] = {
    "none": "none (HC0/CR0)",
    "dof": "n/(n-k-d) (HC1; s2 = e'e/(n-k-d))",
    "linearmodels": "n/(n-k-d_lm), linearmodels PanelOLS debiased",
    "cr1": "G/(G-1)(n-1)/(n-k-d) (CR1, Stata regress)",
    "cr1_nested": "G/(G-1)(n-1)/(n-k-d_nonnested), fixest/pyfixest/reghdfe default",
    "cluster_only": "G/(G-1)",
}
COV_LABELS: dict[str, str] = {
    "homoskedastic": "homoskedastic (iid)",
    "robust": "heteroskedasticity-robust",
    "clustered": "cluster-robust",
    "driscoll_kraay": "Driscoll-Kraay",
}


@dataclass(frozen=True)
class Term:
    """One coefficient: estimate, standard error, t, two-sided p and confidence interval."""

    term: str
    estimate: float
    std_error: float
    t: float
    p: float
    ci_low: float
    ci_high: float


def coefficient_table(
    names: list[str], params: np.ndarray, cov: np.ndarray, *, df: int | None, alpha: float = 0.05
) -> tuple[Term, ...]:
    """Terms from estimates and covariance; t distribution with ``df`` (normal if None)."""
    from scipy import stats

    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = params / se
    dist = stats.norm if df is None else stats.t(df)
    p = 2 * dist.sf(np.abs(tstat))
    q = dist.ppf(1 - alpha / 2)
    return tuple(
        Term(n, float(b), float(s), float(tv), float(pv), float(b - q * s), float(b + q * s))
        for n, b, s, tv, pv in zip(names, params, se, tstat, p)
    )




@dataclass(frozen=True)
class EstimationResult(ResultProtocol):
    """One estimated panel model. Immutable; ``coefficients``/``tidy()`` return fresh DataFrames."""

    kind = "panel"

    model_id: str
    spec: dict[str, Any] = field(hash=False)
    estimator: str
    cov_type: str
    cov_correction: str
    terms: tuple[Term, ...]
    vcov_matrix: tuple[tuple[float, ...], ...]
    nobs: int
    n_entities: int
    n_periods: int
    n_clusters: int | None
    n_clusters_by_dim: tuple[int, ...]
    df_resid: int
    df_fe: int
    df_inference: int | None
    r2: float | None
    r2_within: float | None
    fixed_effects: tuple[str, ...] = ()
    demean_algorithm: str = "none"
    dropped: dict[str, int] = field(default_factory=dict, hash=False)
    first_stage: dict[str, Any] | None = field(default=None, hash=False)
    extra: dict[str, Any] = field(default_factory=dict, hash=False)
    bandwidth: float | None = None
    _data: Any = field(default=None, repr=False, compare=False, hash=False)

    # ------------------------------------------------------------ accessors
    @property
    def coefficients(self) -> pd.DataFrame:
        """term, estimate, std_error, t, p, ci_low, ci_high (one row per term)."""
        return self.tidy()

    @property
    def params(self) -> pd.Series:
        return pd.Series({t.term: t.estimate for t in self.terms}, name="estimate")

    @property
    def std_errors(self) -> pd.Series:
        return pd.Series({t.term: t.std_error for t in self.terms}, name="std_error")

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients (terms × terms)."""
        names = [t.term for t in self.terms]
        return pd.DataFrame(np.array(self.vcov_matrix, dtype=float).reshape(len(names), len(names)),
                            index=names, columns=names)

    @property
    def first_stage_f(self) -> float | None:
        """Kleibergen-Paap rk Wald F of the first stage (IV only)."""
        return None if self.first_stage is None else self.first_stage.get("kleibergen_paap_f")

    @property
    def cluster(self) -> list[str]:
        """Names of the cluster columns (empty unless clustered)."""
        cl = (self.spec.get("cov") or {}).get("cluster") or []
        return [cl] if isinstance(cl, str) else list(cl)

    # ------------------------------------------------------------ re-fit
    def vcov(self, vcov: Any, *, correction: str | None = None) -> "EstimationResult":
        """A NEW result: the same model and data with another covariance (this result is unchanged).

        ``vcov`` as in :func:`i4districts.feols`: ``"iid"``, ``"hetero"``/``"HC1"``,
        ``{"CRV1": "region"}``, ``{"CRV1": "region+year"}``, ``"DK"`` / ``{"DK": 2}``, or a
        spec ``cov`` mapping (``{"type": "clustered", "cluster": "region"}``).
        """
        from i4districts.errors import SpecError

        from .formula import parse_vcov
        from .panel_estimators import fit
        from .spec import ModelSpec

        if self._data is None:
            raise SpecError(f"model '{self.model_id}': .vcov() needs the estimation data; this result was "
                            "read back or built without it: re-fit it with i4districts.feols or estimation.fit")
        raw = {k: v for k, v in self.spec.items()}
        raw["cov"] = parse_vcov(vcov, correction=correction)
        return fit(self._data, ModelSpec.from_dict(raw, source=f"model '{self.model_id}'"))

    def with_data(self, data: Any) -> "EstimationResult":
        """This result holding a (private) reference to its estimation data, for :meth:`vcov`."""
        from dataclasses import replace

        return replace(self, _data=data)

    # -------------------------------------------------------- protocol hooks
    def _tidy_records(self) -> list[dict[str, Any]]:
        return [dict(t.__dict__) for t in self.terms]

    def _nobs(self) -> int:
        return self.nobs

    def _outcome(self) -> str | None:
        return self.spec.get("outcome")

    def _inference(self) -> dict[str, Any]:
        return {
            "type": self.cov_type,
            "label": COV_LABELS.get(self.cov_type, self.cov_type),
            "correction": self.cov_correction,
            "correction_label": CORRECTION_LABELS.get(self.cov_correction, self.cov_correction),
            "clusters": self.cluster,
            "n_clusters": list(self.n_clusters_by_dim) if self.cov_type == "clustered" else None,
            "bandwidth": self.bandwidth,
            "distribution": "normal" if self.df_inference is None else "t",
            "df": self.df_inference,
            "alpha": float(self.spec.get("alpha", 0.05)),
        }

    def _summary_lines(self) -> list[str]:
        lines = []
        if self.fixed_effects:
            lines.append(f"Fixed effects: {', '.join(self.fixed_effects)}")
        fit_stats = []
        if self.r2 is not None:
            fit_stats.append(f"R2: {self.r2:.4f}")
        if self.r2_within is not None:
            fit_stats.append(f"Within R2: {self.r2_within:.4f}")
        if self.first_stage_f is not None:
            fit_stats.append(f"First-stage F (Kleibergen-Paap): {self.first_stage_f:.2f}")
        if fit_stats:
            lines.append("    ".join(fit_stats))
        return lines

    def _extras(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "cov_type": self.cov_type,
            "cov_correction": self.cov_correction,
            "bandwidth": self.bandwidth,
            "n_entities": self.n_entities,
            "n_periods": self.n_periods,
            "n_clusters": self.n_clusters,
            "n_clusters_by_dim": list(self.n_clusters_by_dim),
            "df_resid": self.df_resid,
            "df_fe": self.df_fe,
            "df_inference": self.df_inference,
            "r2": self.r2,
            "r2_within": self.r2_within,
            "fixed_effects": list(self.fixed_effects),
            "demean_algorithm": self.demean_algorithm,
            "dropped": dict(self.dropped),
            "first_stage": self.first_stage,
            "first_stage_f": self.first_stage_f,
            "extra": self.extra,
            "vcov": [list(r) for r in self.vcov_matrix],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient with the model-level fields repeated."""
        df = self.tidy()
        df.insert(0, "model_id", self.model_id)
        df["kind"] = self.kind
        df["estimator"] = self.estimator
        df["cov_type"] = self.cov_type
        df["cov_correction"] = self.cov_correction
        df["nobs"] = self.nobs
        df["n_entities"] = self.n_entities
        df["n_clusters"] = pd.array([self.n_clusters] * len(df), dtype="Int64")
        df["r2_within"] = self.r2_within
        df["first_stage_f"] = self.first_stage_f
        return df

