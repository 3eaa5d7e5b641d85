"""Compare a run's quantities with the golden ones, quantity by quantity.

:func:`compare` walks the union of models, terms and quantities of the golden
results and of the run and returns one :class:`Check` each, with a status:

``ok``       within the declared tolerance (``identical`` when bit-equal)
``moved``    beyond the tolerance
``missing``  in the golden results, absent from the run (a model, term or quantity)
``extra``    in the run, absent from the golden results (record it explicitly)

Every status but ``ok`` fails validation. :meth:`Check.line` is the one-line
message printed by ``i4d validate``, e.g.
``ld_robots exposure estimate: golden -0.8153, run -0.8053, moved +0.01 (tolerance abs 1e-10, rel 1e-09)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from i4districts.golden.tolerances import EXACT, Tolerance, Tolerances

__all__ = ["Check", "compare", "summarize", "ALL"]

ALL = "*"  # term/quantity of a check that concerns a whole model or term
FAILING = ("moved", "missing", "extra")

Terms = Mapping[str, Mapping[str, Any]]


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def _show(x: Any) -> str:
    return repr(x) if not isinstance(x, float) else repr(float(x))


@dataclass(frozen=True)
class Check:
    """One compared quantity (or one missing/extra model or term when ``term``/``quantity`` is ``*``)."""

    model: str
    term: str
    quantity: str
    status: str
    golden: Any = None
    run: Any = None
    tolerance: Tolerance | None = None
    detail: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status in FAILING

    @property
    def identical(self) -> bool:
        return self.status == "ok" and self.golden == self.run and type(self.golden) is type(self.run)

    @property
    def moved(self) -> float | None:
        """``run - golden`` for two numbers, else ``None``."""
        if _num(self.golden) and _num(self.run):
            return float(self.run) - float(self.golden)
        return None

    @property
    def relative(self) -> float | None:
        """``(run - golden) / |golden|`` (``None`` when undefined)."""
        m = self.moved
        if m is None or float(self.golden) == 0.0:
            return None
        return m / abs(float(self.golden))

    def where(self) -> str:
        return " ".join(x for x in (self.model, self.term, self.quantity) if x != ALL)

    def line(self) -> str:
        """The message of a failing check (``model term quantity: golden X, run Y, moved Z (tolerance T)``)."""
        tol = f" (tolerance {self.tolerance.describe()})" if self.tolerance else ""
        if self.status == "moved":
            m = self.moved
            how = f"moved {m:+.6g}" if m is not None else "changed"
            return f"{self.where()}: golden {_show(self.golden)}, run {_show(self.run)}, {how}{tol}"
        if self.status == "missing":
            if self.term == ALL:
                return f"{self.model}: model missing from the run ({self.detail})"
            if self.quantity == ALL:
                return f"{self.where()}: term missing from the run ({self.detail})"
            return f"{self.where()}: golden {_show(self.golden)}, run missing"
        if self.status == "extra":
            if self.term == ALL:
                return f"{self.model}: model not in the golden results ({self.detail})"
            if self.quantity == ALL:
                return f"{self.where()}: term not in the golden results ({self.detail})"
            return f"{self.where()}: golden missing, run {_show(self.run)} (not in the golden results)"
        return f"{self.where()}: golden {_show(self.golden)}, run {_show(self.run)}{tol}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "term": self.term, "quantity": self.quantity, "status": self.status,
            "identical": self.identical, "golden": self.golden, "run": self.run, "moved": self.moved,
            "relative": self.relative, "tolerance": self.tolerance.to_dict() if self.tolerance else None,
            **({"message": self.line()} if self.failed else {}), **self.extra,
        }


def _count(terms: Terms) -> int:
    return sum(len(q) for q in terms.values())


def compare(golden: Mapping[str, Terms], run: Mapping[str, Terms], tolerances: Tolerances, *,
            exact: bool = False) -> list[Check]:
    """Checks of every model/term/quantity in ``golden`` or ``run`` (``{model: {term: {quantity: value}}}``).

    ``exact`` replaces every declared tolerance by equality (replication on the recording platform).
    """
    checks: list[Check] = []
    for model in sorted(set(golden) | set(run)):
        if model not in run:
            checks.append(Check(model, ALL, ALL, "missing", detail=f"golden has {_count(golden[model])} quantities; "
                                f"the run has no models/{model}.json"))
            continue
        if model not in golden:
            checks.append(Check(model, ALL, ALL, "extra", detail="record it with `i4d golden record`"))
            continue
        g_terms, r_terms = golden[model], run[model]
        for term in sorted(set(g_terms) | set(r_terms)):
            if term not in r_terms:
                checks.append(Check(model, term, ALL, "missing", detail=f"golden has {len(g_terms[term])} quantities"))
                continue
            if term not in g_terms:
                checks.append(Check(model, term, ALL, "extra", detail=f"{len(r_terms[term])} quantities in the run"))
                continue
            g, r = g_terms[term], r_terms[term]
            for q in sorted(set(g) | set(r)):
                labels = any(q in side and not _num(side[q]) for side in (g, r))
                tol = EXACT if exact or labels else tolerances.lookup(model, q)
                if q not in r:
                    checks.append(Check(model, term, q, "missing", golden=g[q], tolerance=tol))
                elif q not in g:
                    checks.append(Check(model, term, q, "extra", run=r[q], tolerance=tol))
                else:
                    status = "ok" if tol.holds(g[q], r[q]) else "moved"
                    checks.append(Check(model, term, q, status, golden=g[q], run=r[q], tolerance=tol))
    return checks


def summarize(checks: list[Check], **context: Any) -> dict[str, Any]:
    """The JSON summary for CI systems: status, counts by status, every check."""
    counts = {s: sum(c.status == s for c in checks) for s in ("ok", *FAILING)}
    counts["checks"] = len(checks)
    counts["identical"] = sum(c.identical for c in checks)
    failed = [c for c in checks if c.failed]
    moves = [abs(c.relative) for c in checks if c.relative is not None]
    return {
        **context,
        "status": "fail" if failed else "pass",
        "exact": counts["identical"] == len(checks) and not failed,
        "counts": counts,
        "largest_relative_move": max(moves, default=0.0),
        "failures": [c.line() for c in failed],
        "checks": [c.to_dict() for c in checks],
    }
