"""Panel-estimation engine: declarative specs, multi-way fixed effects, OLS/FD/LD/RE/2SLS,
covariance estimators with named small-sample corrections, immutable results.

>>> from i4districts.estimation import ModelSpec, fit          # doctest: +SKIP
>>> res = fit(df, ModelSpec.from_dict({...}))                   # doctest: +SKIP

Formulas (``y ~ x | fe1 + fe2 | endog ~ instr``) are translated to specs by
:mod:`i4districts.estimation.formula` (``i4districts.feols``).
"""

from i4districts.errors import SpecError

from .demean import ConvergenceError
from .design import PanelDataError
from .ols import CollinearityError
from .panel_estimators import fit
from .results import EstimationResult
from .spec import ModelSpec

__all__ = ["ModelSpec", "SpecError", "PanelDataError", "CollinearityError", "ConvergenceError",
           "EstimationResult", "fit"]
