"""i4districts: Industry 4.0 adoption and employment in industrial districts.

All logic lives in this package as pure functions (DataFrame in, DataFrame
out) plus one thin I/O layer per pipeline step; Snakemake rules call the
``i4d`` command line.

Python API (fixest / pyfixest style), imported lazily so that ``import i4districts``
and the ``i4d`` command line stay fast::

    import i4districts as i4d
    fit = i4d.feols("y ~ x1 + x2 | region + year", data, vcov={"CRV1": "region"})
    print(fit.summary()); fit.tidy(); i4d.etable([fit], type="md")

``feols`` and ``etable`` (:mod:`i4districts.api`), ``fit`` and ``ModelSpec``
(:mod:`i4districts.estimation`).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "feols": "i4districts.api",
    "etable": "i4districts.tables.etable",
    "fit": "i4districts.estimation.panel_estimators",
    "ModelSpec": "i4districts.estimation.spec",
    "EstimationResult": "i4districts.estimation.results",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'i4districts' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
