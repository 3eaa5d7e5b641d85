"""Two-stage least squares and first-stage diagnostics.

2SLS (Wooldridge 2010, sec. 5.2): with exogenous regressors ``W``, endogenous ``Y``,
excluded instruments ``Z_e`` and all instruments ``Z = [W, Z_e]``,
``X = [W, Y]``, ``X̂ = P_Z X``, ``beta = (X̂'X)^-1 X̂'y``, residuals ``e = y - X beta``
and the covariance sandwich uses ``X̂`` as regressors (bread ``(X̂'X̂)^-1``).

First stage, per endogenous regressor: OLS of ``Y_j`` on ``Z``; the Wald statistic of
the excluded instruments uses the model's covariance estimator (robust / clustered
/ Driscoll-Kraay with the same correction); ``F = Wald / q`` (q excluded instruments);
partial R² is that of ``M_W Y_j`` on ``M_W Z_e``.

Kleibergen-Paap rk Wald statistic (Kleibergen & Paap 2006, eq. 18-21), test of
``rank(Π) = K - 1`` for the reduced form ``Y = Z Π + V`` (K endogenous, L excluded
instruments, both partialled on the exogenous regressors):
``Θ = G Π F'`` with ``G = (Z'Z/n)^{1/2}``, ``F = (V'V/n)^{-1/2}``; SVD ``Θ = U S V'``;
``A⊥ = [U_12; U_22] U_22^{-1} (U_22 U_22')^{1/2}``, ``B⊥ = (V_22 V_22')^{1/2} V_22'^{-1} [V_12' V_22']``
(blocks after the first K-1 rows/columns); ``λ = (B⊥ ⊗ A⊥') vec Θ``,
``Ω = (B⊥ ⊗ A⊥')(F ⊗ G) Var(vec Π)(F ⊗ G)'(B⊥ ⊗ A⊥')'`` and ``rk = λ' Ω^{-1} λ``,
``Var(vec Π)`` from the model's covariance estimator and correction. The reported
``KP F = rk / L`` (as Stata ``ivreg2``'s "Kleibergen-Paap rk Wald F", whose own
small-sample scaling is replaced by the model's correction). With K = 1 it equals the
first-stage Wald / L; with homoskedastic errors and no correction it equals the
Cragg-Donald statistic ``n · min eig(Σ_VV^{-1/2} Y'P_Z Y Σ_VV^{-1/2} / n)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.linalg
from scipy import stats

from .ols import LeastSquares, least_squares

__all__ = ["two_stage_least_squares", "FirstStage", "first_stage", "kleibergen_paap_rk"]


def two_stage_least_squares(y: np.ndarray, x: np.ndarray, z: np.ndarray) -> tuple[LeastSquares, np.ndarray]:
    """2SLS of ``y`` on ``x`` with instruments ``z``; returns (fit with bread (X̂'X̂)^-1, X̂)."""
    coef_fs = np.linalg.lstsq(z, x, rcond=None)[0]
    xhat = z @ coef_fs
    params = np.linalg.solve(xhat.T @ x, xhat.T @ y)
    resid = y - x @ params
    bread = np.linalg.inv(xhat.T @ xhat)
    return LeastSquares(params, resid, (bread + bread.T) / 2), xhat


@dataclass(frozen=True)
class FirstStage:
    endogenous: str
    coefficients: dict[str, float]
    std_errors: dict[str, float]
    wald: float
    f: float
    p: float
    partial_r2: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _annihilate(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    if w.shape[1] == 0:
        return a
    return a - w @ np.linalg.lstsq(w, a, rcond=None)[0]


def first_stage(
    endog: np.ndarray,
    endog_names: list[str],
    exog: np.ndarray,
    excluded: np.ndarray,
    excluded_names: list[str],
    cov_fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
) -> list[FirstStage]:
    """Per endogenous regressor: first-stage OLS on ``[exog, excluded]`` and the Wald test.

    ``cov_fn(x, resid, bread)`` returns the covariance with the model's estimator.
    """
    z = np.column_stack([exog, excluded])
    q = excluded.shape[1]
    ez = _annihilate(excluded, exog)
    out = []
    for j, name in enumerate(endog_names):
        fit = least_squares(z, endog[:, j])
        cov = cov_fn(z, fit.resid, fit.bread)
        b = fit.params[-q:]
        c = cov[-q:, -q:]
        wald = float(b @ np.linalg.solve(c, b))
        ey = _annihilate(endog[:, j : j + 1], exog)[:, 0]
        pr = least_squares(ez, ey)
        partial_r2 = 1.0 - float(pr.resid @ pr.resid) / float(ey @ ey)
        out.append(
            FirstStage(
                endogenous=name,
                coefficients={n: float(v) for n, v in zip(excluded_names, b)},
                std_errors={n: float(np.sqrt(c[i, i])) for i, n in enumerate(excluded_names)},
                wald=wald,
                f=wald / q,
                p=float(stats.chi2(q).sf(wald)),
                partial_r2=partial_r2,
            )
        )
    return out


def _psd_sqrt(a: np.ndarray) -> np.ndarray:
    vals, vecs = scipy.linalg.eigh((a + a.T) / 2)
    return (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T


def kleibergen_paap_rk(
    endog: np.ndarray,
    exog: np.ndarray,
    excluded: np.ndarray,
    var_vec_pi: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray],
) -> float:
    """Kleibergen-Paap rk Wald statistic of ``rank(Π) = K-1`` (formulas in the module docstring).

    ``var_vec_pi(z, v, zz_inv, pi)`` returns ``Var(vec Π)`` (L·K square, columns of Π stacked)
    for partialled instruments ``z`` and reduced-form residuals ``v``.
    """
    y = _annihilate(endog, exog)
    z = _annihilate(excluded, exog)
    n, k = y.shape
    zz = z.T @ z
    zz_inv = np.linalg.inv(zz)
    pi = zz_inv @ (z.T @ y)  # L × K
    v = y - z @ pi
    g = _psd_sqrt(zz / n)
    f = np.linalg.inv(_psd_sqrt(v.T @ v / n))
    theta = g @ pi @ f.T
    u, _, vt = np.linalg.svd(theta)
    vv = vt.T
    q = k - 1
    u22, v22 = u[q:, q:], vv[q:, q:]
    a_perp = u[:, q:] @ np.linalg.solve(u22, _psd_sqrt(u22 @ u22.T))
    b_perp = _psd_sqrt(v22 @ v22.T) @ np.linalg.solve(v22.T, vv[:, q:].T)
    kron = np.kron(b_perp, a_perp.T)
    lam = kron @ theta.reshape(-1, order="F")
    t = np.kron(f, g)
    omega = kron @ t @ var_vec_pi(z, v, zz_inv, pi) @ t.T @ kron.T
    return float(lam @ np.linalg.solve(omega, lam))
