"""Panel estimators: within (multi-way fixed effects), pooled OLS, first differences,
long differences, random effects with a Hausman test, and 2SLS with fixed effects.

* within: OLS on data with the fixed effects absorbed (see :mod:`.demean`);
  ``R²_within = 1 - e'e / ỹ'ỹ`` with ``ỹ`` the demeaned outcome (Wooldridge 2010, 10.5).
* first differences: ``Δy_it = Δx_it' b + Δu_it`` between consecutive periods of the
  panel's sorted periods (a gap breaks the chain); no constant unless asked
  (Wooldridge 2010, 10.6).
* long differences: ``y_i,end - y_i,start`` on the same differences of the regressors,
  one row per entity, with a constant (Acemoglu & Restrepo 2020).
* random effects (Swamy & Arora 1972 as in linearmodels): ``σ²_e`` from the within
  regression, ``σ²_u = max(0, SSR_between/(N-k_b) - σ²_e / T̄)`` with ``T̄`` the
  harmonic mean of the entity sizes, ``θ_i = 1 - sqrt(σ²_e / (T_i σ²_u + σ²_e))``,
  OLS on ``z_it - θ_i z̄_i``. Hausman (1978): ``H = d'(V_FE - V_RE)^-1 d`` with
  ``d = b_FE - b_RE`` over the time-varying regressors, ``χ²(k)``; classical
  (homoskedastic) variances, pseudo-inverse if ``V_FE - V_RE`` is not positive definite.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from i4districts.errors import EstimationError

from .covariance import DegreesOfFreedom, _scale, compute_covariance, robust_meat
from .demean import Demeaner, FixedEffects, factorize_effects, find_singletons
from .design import PanelDataError, prepare
from .iv import first_stage, kleibergen_paap_rk, two_stage_least_squares
from .ols import check_rank, least_squares
from .results import EstimationResult, coefficient_table
from .spec import ModelSpec, SpecError

__all__ = ["fit", "first_difference_frame", "long_difference_frame", "hausman", "MIN_CLUSTERS"]

#: Fewer clusters than this (or no more clusters than coefficients) triggers a UserWarning.
MIN_CLUSTERS = 30


def _codes(s: pd.Series) -> np.ndarray:
    return pd.factorize(s, sort=True)[0].astype(np.int64)


def first_difference_frame(frame: pd.DataFrame, spec: ModelSpec, value_cols: list[str]) -> tuple[pd.DataFrame, int]:
    """Differences of ``value_cols`` between consecutive periods within entity.

    Returns the differenced rows (other columns from the later period) and the number of
    rows without a predecessor (first period of each entity or after a gap).
    """
    pos = pd.Series(_codes(frame[spec.time]), index=frame.index)
    order = np.lexsort((pos.to_numpy(), _codes(frame[spec.entity])))
    f = frame.iloc[order].reset_index(drop=True)
    p = pos.to_numpy()[order]
    ent = f[spec.entity].to_numpy()
    ok = np.zeros(len(f), dtype=bool)
    ok[1:] = (ent[1:] == ent[:-1]) & (p[1:] - p[:-1] == 1)
    out = f.copy()
    vals = f[value_cols].to_numpy(dtype=float)
    diff = np.full_like(vals, np.nan)
    diff[1:] = vals[1:] - vals[:-1]
    out[value_cols] = diff
    return out.loc[ok].reset_index(drop=True), int((~ok).sum())


def long_difference_frame(frame: pd.DataFrame, spec: ModelSpec, value_cols: list[str]) -> tuple[pd.DataFrame, int]:
    """``z_end - z_start`` per entity (one row per entity, other columns from ``end``).

    Columns in ``spec.long_difference_levels`` are not differenced: they take their value at
    ``start`` (baseline regressors). Returns the frame and the number of entities observed in only
    one of the two periods.
    """
    start, end = spec.long_difference
    t = frame[spec.time]
    a = frame.loc[t == start].set_index(spec.entity)
    b = frame.loc[t == end].set_index(spec.entity)
    if a.empty or b.empty:
        raise PanelDataError(f"panel: long_difference period {start if a.empty else end!r} not found in column "
                             f"'{spec.time}' (values {list(pd.unique(t))[:8]})")
    common = a.index.intersection(b.index)
    lost = len(a.index.union(b.index)) - len(common)
    out = b.loc[common].copy()
    levels = [c for c in value_cols if c in spec.long_difference_levels]
    diffed = [c for c in value_cols if c not in levels]
    out[diffed] = b.loc[common, diffed].to_numpy(dtype=float) - a.loc[common, diffed].to_numpy(dtype=float)
    if levels:
        out[levels] = a.loc[common, levels].to_numpy(dtype=float)
    return out.reset_index(), int(lost)


def _scale_homoskedastic(correction: str, dof: DegreesOfFreedom) -> float:
    return _scale(correction, dof, None, False, 0)


def _nested(fe_codes: np.ndarray, cluster_codes: list[np.ndarray]) -> bool:
    """True if every level of the effect lies in a single cluster of every cluster variable."""
    first = np.empty(int(fe_codes.max()) + 1, dtype=np.int64)
    for c in cluster_codes:
        first[fe_codes] = c  # one cluster per level (the last written); nested iff all agree
        if not np.array_equal(first[fe_codes], c):
            return False
    return True


def _finish(
    spec: ModelSpec, estimator: str, names: list[str], params, cov, *, frame: pd.DataFrame, nobs: int, dof, r2,
    r2_within, fe_names=(), algorithm="none", dropped=None, first=None, extra=None,
) -> EstimationResult:
    df_inf = None if spec.inference == "normal" else cov.df_inference
    terms = coefficient_table(names, params, cov.matrix, df=df_inf, alpha=spec.alpha)
    nclus = cov.n_clusters if cov.cov_type == "clustered" else ()
    if nclus and (min(nclus) < MIN_CLUSTERS or min(nclus) <= len(names)):
        warnings.warn(
            f"model '{spec.model_id}': only {min(nclus)} clusters ({', '.join(spec.cluster)}: "
            f"{list(nclus)}) for {len(names)} coefficient(s); cluster-robust inference is unreliable with "
            f"fewer than {MIN_CLUSTERS} clusters or no more clusters than parameters "
            "(consider a wild cluster bootstrap or a coarser model)",
            UserWarning, stacklevel=5,
        )
    return EstimationResult(
        model_id=spec.model_id,
        spec=spec.to_dict(),
        estimator=estimator,
        cov_type=cov.cov_type,
        cov_correction=cov.correction,
        terms=terms,
        vcov_matrix=tuple(tuple(float(v) for v in row) for row in cov.matrix),
        nobs=int(nobs),
        n_entities=int(frame[spec.entity].nunique()),
        n_periods=int(frame[spec.time].nunique()),
        n_clusters=int(min(nclus)) if nclus else None,
        n_clusters_by_dim=tuple(int(g) for g in nclus),
        df_resid=int(dof.df_resid),
        df_fe=int(dof.df_fe),
        df_inference=df_inf,
        r2=None if r2 is None else float(r2),
        r2_within=None if r2_within is None else float(r2_within),
        fixed_effects=tuple(fe_names),
        demean_algorithm=algorithm,
        dropped=dict(dropped or {}),
        first_stage=first,
        extra=dict(extra or {}),
        bandwidth=cov.bandwidth,
    )


def _fit_linear(frame: pd.DataFrame, spec: ModelSpec, estimator: str, effects, constant: bool, dropped: dict,
                exog_terms: tuple[str, ...]) -> EstimationResult:
    exog_names = list(exog_terms)
    endog_names = list(spec.endogenous)
    instr_names = list(spec.instruments)
    dropped = dict(dropped)
    fe: FixedEffects | None = factorize_effects(frame, effects) if effects else None
    n_single = 0
    if fe is not None and spec.drop_singletons:
        single = find_singletons(fe.codes)
        n_single = int(single.sum())
        if n_single:
            frame = frame.loc[~single].reset_index(drop=True)
            fe = fe.subset(~single)
    if effects:
        dropped["singletons"] = n_single
    n = len(frame)
    if n == 0:
        raise EstimationError(f"model '{spec.model_id}': no observations left after dropping {n_single} "
                              f"singleton(s) of the fixed effects {[':'.join(e) for e in effects]} "
                              "(every level is observed once); drop an effect or set drop_singletons: false")
    w = frame[spec.weights].to_numpy(dtype=float) if spec.weights else None
    y = frame[spec.outcome].to_numpy(dtype=float)
    cols = [spec.outcome, *exog_names, *endog_names, *instr_names]
    raw = np.empty((n, len(cols) + int(constant)))
    raw[:, 0] = y
    pos = 1
    if constant:
        raw[:, 1] = 1.0
        pos = 2
        exog_names = ["const", *exog_names]
    for j, c in enumerate(cols[1:]):
        raw[:, pos + j] = frame[c].to_numpy(dtype=float)
    ke, kn = len(exog_names), len(endog_names)
    if fe is not None:
        dm = Demeaner(fe, w, method=spec.demean_method, tol=spec.demean_tol, max_iter=spec.demean_max_iter)
        trans = dm(raw)
        df_fe, algorithm = dm.df_absorbed, dm.algorithm
    else:
        trans, df_fe, algorithm = raw, 0, "none"
    rw = np.sqrt(w) if w is not None else np.ones(n)
    if w is not None:
        trans = trans * rw[:, None]
        raw_w = raw * rw[:, None]
    else:
        raw_w = raw
    yt = np.ascontiguousarray(trans[:, 0])
    xe = np.ascontiguousarray(trans[:, 1 : 1 + ke])
    xn = np.ascontiguousarray(trans[:, 1 + ke : 1 + ke + kn])
    ze = np.ascontiguousarray(trans[:, 1 + ke + kn :])
    names = exog_names + endog_names
    x = np.column_stack([xe, xn])
    check_rank(x, names, raw_w[:, 1 : 1 + ke + kn], model_id=spec.model_id)
    clusters = [pd.factorize(frame[c])[0].astype(np.int64) for c in spec.cluster] if spec.cluster else None
    time_codes = _codes(frame[spec.time])
    fe_nested = tuple(_nested(c, clusters) for c in fe.codes) if (fe is not None and clusters) else ()
    fe_levels = fe.n_levels if fe is not None else ()
    correction = spec.resolved_correction

    def cov_of(xx, resid, bread):
        dof = DegreesOfFreedom(n, xx.shape[1], df_fe, fe_levels, fe_nested or (False,) * len(fe_levels))
        return compute_covariance(xx, resid, bread, cov_type=spec.cov_type, correction=correction, dof=dof,
                                  clusters=clusters, time_codes=time_codes, bandwidth=spec.bandwidth), dof

    first = None
    if kn:
        z = np.column_stack([xe, ze])
        check_rank(z, exog_names + instr_names, raw_w[:, np.r_[1 : 1 + ke, 1 + ke + kn : raw.shape[1]]], what="instruments",
                   model_id=spec.model_id)
        ls, xhat = two_stage_least_squares(yt, x, z)
        cov, dof = cov_of(xhat, ls.resid, ls.bread)
        stages = first_stage(xn, endog_names, xe, ze, instr_names, lambda a, e, b: cov_of(a, e, b)[0].matrix)
        dof_fs = DegreesOfFreedom(n, ke + ze.shape[1], df_fe, fe_levels, fe_nested or (False,) * len(fe_levels))

        def var_vec_pi(zp, v, zz_inv, pi):
            nk = v.shape[1]
            a = np.kron(np.eye(nk), zz_inv)
            if spec.cov_type == "homoskedastic":
                s_vv = v.T @ v / n * _scale_homoskedastic(correction, dof_fs)
                return np.kron(s_vv, zz_inv)
            scores = np.column_stack([zp * v[:, [j]] for j in range(nk)])
            meat = robust_meat(scores, cov_type=spec.cov_type, correction=correction, dof=dof_fs,
                               clusters=clusters, time_codes=time_codes, bandwidth=spec.bandwidth)[0]
            return a @ meat @ a

        rk = kleibergen_paap_rk(xn, xe, ze, var_vec_pi)
        first = {
            "endogenous": endog_names,
            "instruments": instr_names,
            "stages": [s.to_dict() for s in stages],
            "kleibergen_paap_rk_wald": rk,
            "kleibergen_paap_f": rk / ze.shape[1],
        }
    else:
        ls = least_squares(x, yt)
        cov, dof = cov_of(x, ls.resid, ls.bread)
    ssr = float(np.einsum("i,i->", ls.resid, ls.resid))
    yw = y * rw
    if constant or fe is not None:
        wsum = float((rw**2).sum())
        ybar = float((rw**2 * y).sum()) / wsum
        sst = float(((y - ybar) ** 2 * rw**2).sum())
    else:
        sst = float(np.einsum("i,i->", yw, yw))
    # r2: 1 - SSR/SST with SST centred (uncentred without constant or effects); for the
    # within estimator this is the LSDV R², r2_within uses the demeaned outcome
    r2 = 1.0 - ssr / sst if sst > 0 else None
    sst_within = float(np.einsum("i,i->", yt, yt))
    r2_within = (1.0 - ssr / sst_within) if fe is not None and sst_within > 0 else None
    extra = {"demean_iterations": dm.iterations} if fe is not None and algorithm == "iterative" else {}
    return _finish(spec, estimator, names, ls.params, cov, frame=frame, nobs=n, dof=dof, r2=r2, r2_within=r2_within,
                   fe_names=fe.names if fe is not None else (), algorithm=algorithm, dropped=dropped, first=first,
                   extra=extra)


def hausman(b_fe: np.ndarray, v_fe: np.ndarray, b_re: np.ndarray, v_re: np.ndarray) -> dict:
    """Hausman (1978) statistic ``d'(V_FE - V_RE)^+ d`` with ``χ²(rank)`` p-value."""
    d = b_fe - b_re
    vd = v_fe - v_re
    evals = np.linalg.eigvalsh(vd)
    pd_ok = bool(evals.min() > 0)
    stat = float(d @ (np.linalg.solve(vd, d) if pd_ok else np.linalg.pinv(vd) @ d))
    df = int(len(d) if pd_ok else np.linalg.matrix_rank(vd))
    return {"statistic": stat, "df": df, "p": float(stats.chi2(df).sf(stat)), "positive_definite": pd_ok}


def _random_effects(frame: pd.DataFrame, spec: ModelSpec, dropped: dict, exog_terms: tuple[str, ...]) -> EstimationResult:
    if spec.weights:
        raise SpecError(f"model '{spec.model_id}': weights are not supported by estimator 'random_effects'")
    if spec.effects:
        raise SpecError(f"model '{spec.model_id}': estimator 'random_effects' takes no 'effects'; add period dummies as regressors")
    names = list(exog_terms)
    constant = True if spec.constant is None else spec.constant
    n = len(frame)
    ent = _codes(frame[spec.entity])
    n_ent = int(ent.max()) + 1
    y = frame[spec.outcome].to_numpy(dtype=float)
    x = frame[names].to_numpy(dtype=float)
    if constant:
        x = np.column_stack([np.ones(n), x])
        names = ["const", *names]
    t_i = np.bincount(ent, minlength=n_ent).astype(float)

    def means(a):
        return np.column_stack([np.bincount(ent, weights=a[:, j], minlength=n_ent) for j in range(a.shape[1])]) / t_i[:, None]

    ybar, xbar = means(y[:, None])[:, 0], means(x)
    yw, xw = y - ybar[ent], x - xbar[ent]
    xnorm = np.sqrt((x**2).sum(axis=0))
    xnorm[xnorm == 0] = 1.0
    rank_within = np.linalg.matrix_rank(xw / xnorm)
    varying = [j for j in range(x.shape[1]) if np.sqrt((xw[:, j] ** 2).sum()) > 1e-8 * xnorm[j]]
    if constant:
        yw2, xw2 = yw + y.mean(), xw + x.mean(axis=0)
    else:
        yw2, xw2 = yw, xw
    bw = np.linalg.lstsq(xw2, yw2, rcond=None)[0]
    ew = yw2 - xw2 @ bw
    bb, _, rank_between, _ = np.linalg.lstsq(xbar, ybar, rcond=None)
    ub = ybar - xbar @ bb
    df_within = n - n_ent - rank_within
    df_between = n_ent - rank_between
    if df_within <= 0 or df_between <= 0:
        raise PanelDataError(f"panel: random effects need residual degrees of freedom (within {df_within}, between {df_between})")
    s2e = float(ew @ ew) / df_within
    t_bar = n_ent / float((1.0 / t_i).sum())
    s2u = max(0.0, float(ub @ ub) / df_between - s2e / t_bar)
    theta = 1.0 - np.sqrt(s2e / (t_i * s2u + s2e))
    yq = y - (theta * ybar)[ent]
    xq = x - (theta[:, None] * xbar)[ent]
    check_rank(xq, names, x, model_id=spec.model_id)
    ls = least_squares(xq, yq)
    clusters = [_codes(frame[c]) for c in spec.cluster] if spec.cluster else None
    dof = DegreesOfFreedom(n, xq.shape[1], 0)
    cov = compute_covariance(xq, ls.resid, ls.bread, cov_type=spec.cov_type, correction=spec.resolved_correction,
                             dof=dof, clusters=clusters, time_codes=_codes(frame[spec.time]), bandwidth=spec.bandwidth)
    # Hausman: within (entity effects) vs RE, classical variances with dof corrections
    tv = [j for j in varying if names[j] != "const"]
    extra = {"sigma2_e": s2e, "sigma2_u": s2u, "rho": s2u / (s2u + s2e) if s2u + s2e > 0 else 0.0,
             "theta_min": float(theta.min()), "theta_max": float(theta.max())}
    if tv:
        xfe = xw[:, tv]
        fe_ls = least_squares(xfe, yw)
        s2_fe = float(fe_ls.resid @ fe_ls.resid) / (n - n_ent - len(tv))
        v_fe = s2_fe * fe_ls.bread
        re_h = compute_covariance(xq, ls.resid, ls.bread, cov_type="homoskedastic", correction="dof", dof=dof).matrix
        h = hausman(fe_ls.params, v_fe, ls.params[tv], re_h[np.ix_(tv, tv)])
        h["terms"] = [names[j] for j in tv]
        extra["hausman"] = h
    # R² of the quasi-demeaned regression (linearmodels' ``rsquared`` of RandomEffects)
    r2 = 1.0 - float(ls.resid @ ls.resid) / float(((yq - yq.mean()) ** 2).sum()) if constant else None
    return _finish(spec, "random_effects", names, ls.params, cov, frame=frame, nobs=n, dof=dof, r2=r2, r2_within=None,
                   dropped=dropped, extra=extra)


def fit(df: pd.DataFrame, spec: ModelSpec) -> EstimationResult:
    """Estimate ``spec`` on the tidy panel ``df`` (one row per observation).

    The result keeps a private reference to ``df`` so that ``result.vcov(...)`` can
    return the same model with another covariance.
    """
    return _fit(df, spec).with_data(df)


def _fit(df: pd.DataFrame, spec: ModelSpec) -> EstimationResult:
    if not isinstance(spec, ModelSpec):
        raise TypeError(f"spec must be a ModelSpec, got {type(spec).__name__}")
    prep = prepare(df, spec)
    frame, dropped = prep.frame, dict(prep.dropped)
    est = spec.resolved_estimator
    effects = spec.resolved_effects
    if est != "pooled" and frame[spec.entity].nunique() < 2:
        raise EstimationError(
            f"model '{spec.model_id}': the estimation sample has a single {spec.entity} "
            f"({frame[spec.entity].iloc[0]!r}, {len(frame)} rows); estimator '{est}' needs at least two "
            f"(check the filters and the {spec.entity} column)"
        )
    for col in spec.cluster:
        if frame[col].nunique() < 2:
            raise EstimationError(
                f"model '{spec.model_id}': cluster column '{col}' has a single value "
                f"({frame[col].iloc[0]!r}) in the estimation sample; a clustered covariance needs at least two"
            )
    if est == "random_effects":
        return _random_effects(frame, spec, dropped, prep.exog_terms)
    if est == "pooled" and effects:
        raise SpecError(f"model '{spec.model_id}': estimator 'pooled' takes no 'effects' (got {list(spec.effects)})")
    if est == "within" and not effects:
        raise SpecError(f"model '{spec.model_id}': estimator 'within' needs 'effects'")
    value_cols = list(dict.fromkeys([spec.outcome, *prep.exog_terms, *spec.endogenous, *spec.instruments]))
    if est in ("first_difference", "long_difference"):
        # entity effects are differenced away; long differences leave one period
        drop = {(spec.entity,)} | ({(spec.time,)} if est == "long_difference" else set())
        effects = tuple(e for e in effects if e not in drop)
        if est == "first_difference":
            frame, lost = first_difference_frame(frame, spec, value_cols)
        else:
            frame, lost = long_difference_frame(frame, spec, value_cols)
        dropped["differencing"] = lost
        if frame.empty:
            raise PanelDataError(f"panel: no rows left after {est.replace('_', ' ')}s for model '{spec.model_id}'")
        default_const = est == "long_difference" and not effects
    else:
        default_const = not effects
    constant = default_const if spec.constant is None else spec.constant
    if constant and effects:
        raise SpecError(f"model '{spec.model_id}': 'constant: true' cannot be combined with fixed effects (absorbed)")
    return _fit_linear(frame, spec, est, effects, constant, dropped, prep.exog_terms)
