"""Panel-estimation engine: declarative specs, multi-way fixed effects, OLS/FD/LD/RE/2SLS,
covariance estimators with named small-sample corrections, immutable results.

>>> from i4districts.estimation import ModelSpec, fit          # doctest: +SKIP
>>> res = fit(df, ModelSpec.from_dict({...}))                   # doctest: +SKIP
"""

from .design import PanelDataError
from .panel_estimators import fit
from .results import EstimationResult
from .spec import ModelSpec, SpecError

__all__ = ["ModelSpec", "SpecError", "PanelDataError", "EstimationResult", "fit"]
