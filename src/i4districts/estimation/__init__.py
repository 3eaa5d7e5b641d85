"""Panel-estimation engine: declarative specs, multi-way fixed effects, OLS/FD/LD/RE/2SLS,
covariance estimators with named small-sample corrections, immutable results.

>>> from i4districts.estimation import ModelSpec, fit          # doctest: +SKIP
>>> res = fit(df, ModelSpec.from_dict({...}))                   # doctest: +SKIP

Formulas (``y ~ x | fe1 + fe2 | endog ~ instr``) are translated to specs by
:mod:`i4districts.estimation.formula` (``i4districts.feols``).
"""

from i4districts.errors import SpecError
from i4districts.lazy import lazy_package

# Names resolve lazily: `import i4districts.estimation.spec` (the Snakefile validates specs while it is
# parsed) must not pull in the estimators, scipy.stats and pandas.
lazy_package(__name__, {
    "ConvergenceError": (f"{__name__}.demean", "ConvergenceError"),
    "PanelDataError": (f"{__name__}.design", "PanelDataError"),
    "CollinearityError": (f"{__name__}.ols", "CollinearityError"),
    "fit": (f"{__name__}.panel_estimators", "fit"),
    "EstimationResult": (f"{__name__}.results", "EstimationResult"),
    "ModelSpec": (f"{__name__}.spec", "ModelSpec"),
})

__all__ = ["ModelSpec", "SpecError", "PanelDataError", "CollinearityError", "ConvergenceError",
           "EstimationResult", "fit"]
