"""Panel-estimation engine: declarative specs, multi-way fixed effects, OLS/FD/LD/RE/2SLS,
covariance estimators with named small-sample corrections, immutable results.

>>> from i4districts.estimation import ModelSpec, fit          # doctest: +SKIP
>>> res = fit(df, ModelSpec.from_dict({...}))                   # doctest: +SKIP

Formulas (``y ~ x | fe1 + fe2 | endog ~ instr``) are translated to specs by
:mod:`i4districts.estimation.formula` (``i4districts.feols``).
"""

from importlib import import_module

from i4districts.errors import SpecError

# Names resolve lazily (PEP 562): `import i4districts.estimation.spec` (the Snakefile validates specs
# while it is parsed) must not pull in the estimators, scipy.stats and pandas.
_LAZY = {"ConvergenceError": ".demean", "PanelDataError": ".design", "CollinearityError": ".ols",
         "fit": ".panel_estimators", "EstimationResult": ".results", "ModelSpec": ".spec"}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ModelSpec", "SpecError", "PanelDataError", "CollinearityError", "ConvergenceError",
           "EstimationResult", "fit"]
