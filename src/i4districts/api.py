"""Python API in the style of fixest / pyfixest.

>>> import i4districts as i4d                                              # doctest: +SKIP
>>> fit = i4d.feols("y ~ x1 + x2 | region + year", data, vcov={"CRV1": "region"})  # doctest: +SKIP
>>> print(fit.summary()); fit.tidy(); fit.vcov("hetero")                   # doctest: +SKIP
>>> i4d.etable([fit, other], type="md")                                    # doctest: +SKIP

:func:`feols` translates the formula (:mod:`i4districts.estimation.formula`) into a
:class:`~i4districts.estimation.ModelSpec` and fits it with the package's one engine,
:func:`i4districts.estimation.fit`; nothing is estimated differently from a YAML spec.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from i4districts.errors import SpecError
from i4districts.estimation import EstimationResult, ModelSpec, fit
from i4districts.estimation.formula import parse_formula, parse_vcov
from i4districts.tables.etable import etable

__all__ = ["feols", "etable", "fit", "ModelSpec"]

_ENTITY, _TIME = "region", "year"  # the package vocabulary (i4districts.vocabulary)
_SYNTH_ENTITY, _SYNTH_TIME = "_i4d_row", "_i4d_period"


def feols(
    fml: str,
    data: pd.DataFrame,
    vcov: Any = None,
    weights: str | None = None,
    *,
    entity: str | None = None,
    time: str | None = None,
    model_id: str | None = None,
    estimator: str = "auto",
    correction: str | None = None,
    ssc: str | None = None,
    drop_singletons: bool = True,
    alpha: float = 0.05,
    **spec_fields: Any,
) -> EstimationResult:
    """Estimate a linear (IV) model with fixed effects from a fixest-style formula.

    Parameters
    ----------
    fml
        ``"y ~ x1 + x2 + x1:x2 | fe1 + fe2"``; IV ``"y ~ controls | fe | endog ~ instr"``
        (``"y ~ 1 | fe | endog ~ instr"`` without controls); ``fe1^fe2`` is one effect per
        combination (:mod:`i4districts.estimation.formula`).
    data
        One row per observation. The result keeps a private reference (not a copy) for
        :meth:`EstimationResult.vcov`.
    vcov
        ``"iid"``, ``"hetero"``/``"HC1"``, ``{"CRV1": "region"}``, ``{"CRV1": "region+year"}``,
        ``"DK"``/``{"DK": bandwidth}`` or a spec ``cov`` mapping. Default (as pyfixest):
        clustered by the first fixed effect (``"hetero"`` if it is ``a^b``), ``"iid"`` without fixed effects.
    weights
        Column of positive regression weights.
    entity, time
        Panel identifiers (entity counts, differencing, Driscoll-Kraay periods). Default:
        ``region`` / ``year`` when they are fixed effects, else the first / second fixed
        effect, else ``region`` / ``year`` if the data has them.
    correction, ssc
        Small-sample correction (``none``, ``dof``, ``linearmodels``, ``cr1``, ``cr1_nested``,
        ``cluster_only``; :mod:`i4districts.estimation.covariance`); default ``cr1_nested``
        (fixest) for clusters and ``dof`` otherwise. ``ssc`` is an alias.
    estimator, drop_singletons, alpha, **spec_fields
        Further model-spec fields (``filters``, ``demean``, ``inference``, ``long_difference``,
        ``event_study``, ``description`` ...), as in a YAML spec.
    """
    if not isinstance(data, pd.DataFrame):
        raise SpecError("feols", "data", "must be a pandas DataFrame", [type(data).__name__])
    parsed = parse_formula(fml)
    singles = [e for e in parsed.effects if isinstance(e, str)]
    if entity is None:
        entity = _ENTITY if _ENTITY in singles else (singles[0] if singles else
                                                     (_ENTITY if _ENTITY in data.columns else None))
    if time is None:
        rest = [s for s in singles if s != entity]
        time = _TIME if _TIME in rest else (rest[0] if rest else
                                            (_TIME if _TIME in data.columns and entity != _TIME else None))
    extra_cols: dict[str, Any] = {}
    if entity is None:
        entity, extra_cols[_SYNTH_ENTITY] = _SYNTH_ENTITY, np.arange(len(data))
    if time is None:
        time, extra_cols[_SYNTH_TIME] = _SYNTH_TIME, np.zeros(len(data), dtype=np.int64)
    numeric_cats = [c for c in parsed.categorical if c in data.columns
                    and pd.api.types.is_numeric_dtype(data[c])]
    for c in numeric_cats:  # C(g) with a numeric g: one slope per level, as a categorical
        extra_cols[c] = data[c].astype(str)
    if extra_cols:
        data = data.assign(**extra_cols)
    if vcov is None:  # pyfixest's default: cluster by the first effect (hetero for an a^b effect), else iid
        first = parsed.effects[0] if parsed.effects else None
        vcov = "iid" if first is None else ({"CRV1": first} if isinstance(first, str) else "hetero")
    if ssc is not None and correction is not None and ssc != correction:
        raise SpecError("feols", "ssc", "and 'correction' disagree; give one", [ssc, correction])
    raw: dict[str, Any] = {
        "model_id": model_id or fml,
        "formula": fml,
        "entity": entity,
        "time": time,
        "estimator": estimator,
        "drop_singletons": drop_singletons,
        "alpha": alpha,
        "cov": parse_vcov(vcov, correction=correction or ssc),
        **spec_fields,
    }
    if weights is not None:
        raw["weights"] = weights
    spec = ModelSpec.from_dict(raw, source=f"feols({fml!r})")
    return fit(data, spec)
