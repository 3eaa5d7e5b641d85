"""Tolerances declared per quantity (``golden/tolerances.yaml``).

A numeric quantity *holds* when ``|run - golden| <= abs + rel * |golden|``
(numpy.isclose's rule, with the golden value as the reference); ``exact:
true`` demands equality. Labels (strings, booleans) are always compared
exactly. The file::

    default: {abs: 1.0e-10, rel: 1.0e-9}
    quantities:                 # by full name or by family (the name before "[")
      std_error: {abs: 1.0e-12, rel: 1.0e-8}
      nobs: {exact: true}
    models:                     # optional overrides for one model
      ld_robots: {p: {abs: 1.0e-6}}

Lookup order: ``models.<model>.<name>``, ``models.<model>.<family>``,
``quantities.<name>``, ``quantities.<family>``, ``default``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from i4districts.errors import ConfigError
from i4districts.golden.quantities import family
from i4districts.safeyaml import load_yaml

__all__ = ["Tolerance", "Tolerances", "EXACT", "load_tolerances"]

_KEYS = {"abs", "rel", "exact"}


@dataclass(frozen=True)
class Tolerance:
    """``abs`` and ``rel`` bounds of a move (or ``exact``)."""

    abs: float = 0.0
    rel: float = 0.0
    exact: bool = False

    def bound(self, golden: float) -> float:
        """The largest allowed ``|run - golden|``."""
        return 0.0 if self.exact else self.abs + self.rel * abs(golden)

    def holds(self, golden: Any, run: Any) -> bool:
        """Whether ``run`` is within tolerance of ``golden`` (labels and ``exact``: equality)."""
        if not (_is_number(golden) and _is_number(run)):
            return golden == run and type(golden) is type(run)
        if self.exact:
            return golden == run
        return abs(float(run) - float(golden)) <= self.bound(float(golden))

    def describe(self) -> str:
        if self.exact:
            return "exact"
        return f"abs {self.abs:g}, rel {self.rel:g}"

    def to_dict(self) -> dict[str, Any]:
        return {"exact": True} if self.exact else {"abs": self.abs, "rel": self.rel}


EXACT = Tolerance(exact=True)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def _parse(entry: Any, where: str) -> Tolerance:
    if entry == "exact":
        return EXACT
    if not isinstance(entry, Mapping) or not entry or set(entry) - _KEYS:
        raise ConfigError(f"{where}: expected a mapping with keys {sorted(_KEYS)} (or 'exact'), got {entry!r}")
    if entry.get("exact"):
        if set(entry) - {"exact"}:
            raise ConfigError(f"{where}: 'exact: true' takes no abs/rel bounds, got {dict(entry)!r}")
        return EXACT
    vals = {}
    for k in ("abs", "rel"):
        v = entry.get(k, 0.0)
        if not _is_number(v) or v < 0:
            raise ConfigError(f"{where}: {k!r} must be a finite number >= 0, got {v!r}")
        vals[k] = float(v)
    return Tolerance(**vals)


@dataclass(frozen=True)
class Tolerances:
    """The declared tolerances, resolved per model and quantity by :meth:`lookup`."""

    default: Tolerance
    quantities: Mapping[str, Tolerance]
    models: Mapping[str, Mapping[str, Tolerance]]
    source: str = "<tolerances>"

    def lookup(self, model: str, quantity: str) -> Tolerance:
        fam = family(quantity)
        per_model = self.models.get(model, {})
        for table, key in ((per_model, quantity), (per_model, fam), (self.quantities, quantity),
                           (self.quantities, fam)):
            if key in table:
                return table[key]
        return self.default

    @classmethod
    def from_dict(cls, doc: Any, source: str = "<tolerances>") -> Tolerances:
        if not isinstance(doc, Mapping):
            raise ConfigError(f"{source}: expected a mapping with 'default', 'quantities' and 'models'")
        unknown = set(doc) - {"default", "quantities", "models"}
        if unknown:
            raise ConfigError(f"{source}: unknown key(s) {sorted(unknown)} (allowed: default, quantities, models)")
        if "default" not in doc:
            raise ConfigError(f"{source}: 'default' tolerance is missing")
        default = _parse(doc["default"], f"{source}: 'default'")
        qs = {str(k): _parse(v, f"{source}: 'quantities.{k}'") for k, v in (doc.get("quantities") or {}).items()}
        models = {}
        for m, entries in (doc.get("models") or {}).items():
            if not isinstance(entries, Mapping):
                raise ConfigError(f"{source}: 'models.{m}' must map quantities to tolerances, got {entries!r}")
            models[str(m)] = {str(k): _parse(v, f"{source}: 'models.{m}.{k}'") for k, v in entries.items()}
        return cls(default=default, quantities=qs, models=models, source=source)


def load_tolerances(path: str | Path) -> Tolerances:
    """Read and check ``tolerances.yaml``; errors name the file and the key."""
    p = Path(path)
    return Tolerances.from_dict(load_yaml(p), source=str(p))
