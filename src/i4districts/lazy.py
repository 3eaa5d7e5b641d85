"""Lazy package namespaces (PEP 562) for the packages whose submodules are heavy.

Every workflow job is a fresh ``i4d`` process and the Snakefile validates model specs while it is
parsed: importing every submodule of :mod:`i4districts.shiftshare` or :mod:`i4districts.indicators`
(scipy.stats, the estimators) would cost each of them about a second. A package lists its public
names with the module defining each; a name is imported on first access and then cached.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping
from importlib import import_module


def lazy_package(name: str, names: Mapping[str, tuple[str, str]], *, shadowed: tuple[str, ...] = ()) -> None:
    """Make package ``name`` resolve ``names`` (public name -> (module, attribute)) on first access.

    ``shadowed``: public functions named like a submodule (``placebo`` in ``placebo.py``); importing
    that submodule would otherwise replace the function by the module on the package, as eager
    ``from .x import x`` imports never did.
    """
    module = sys.modules[name]

    def __getattr__(attr: str):
        if attr in names:
            source, symbol = names[attr]
            value = getattr(import_module(source), symbol)
            setattr(module, attr, value)
            return value
        raise AttributeError(f"module {name!r} has no attribute {attr!r}")

    def __dir__():
        return sorted(set(vars(module)) | set(names))

    class _Package(types.ModuleType):
        def __setattr__(self, attr, value):
            if attr in shadowed and isinstance(value, types.ModuleType):
                value = getattr(value, attr)
            super().__setattr__(attr, value)

    module.__getattr__ = __getattr__
    module.__dir__ = __dir__
    if shadowed:
        module.__class__ = _Package
