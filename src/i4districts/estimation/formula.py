"""fixest-style model formulas and covariance shorthands, translated to a model spec.

Formula (as fixest / pyfixest)::

    y ~ x1 + x2 + x1:x2                     OLS (pooled, with a constant)
    y ~ x1 + x2 | region + year             fixed effects after ``|``
    y ~ x1 | region^sector + year           ``a^b``: one effect for each (a, b) combination
    y ~ x1 | region + year | endog ~ z1 + z2   IV: endogenous ~ instruments last
    y ~ 1 | region + year | endog ~ z       IV without exogenous regressors
    y ~ x1 | endog ~ z                      IV without fixed effects

The right-hand side terms are parsed with `formulaic <https://matthewwardrop.github.io/formulaic/>`_
(so ``a*b`` expands to ``a + b + a:b``, ``0 +``/``- 1`` drop the constant); a term
``a:b`` becomes the interaction ``[a, b]`` (one component may be categorical,
``a:C(g)``, giving one slope per level of ``g``). Only plain column names are
allowed as variables (no transformations: create the column first).

Covariance shorthands (:func:`parse_vcov`) -> the spec's ``cov``:

=================================  ============================================================
``"iid"``                          homoskedastic, correction ``dof``
``"hetero"``, ``"HC1"``            robust, correction ``dof`` (HC1)
``"HC0"``                          robust, correction ``none``
``{"CRV1": "region"}``             clustered by region, correction ``cr1_nested`` (fixest)
``{"CRV1": "region+year"}``        two-way clustered (Cameron, Gelbach & Miller 2011)
``"DK"``, ``{"DK": 2}``            Driscoll-Kraay (default bandwidth, or the one given)
``{"type": ..., ...}``             a spec ``cov`` mapping, used as is
=================================  ============================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from i4districts.errors import SpecError

__all__ = ["ParsedFormula", "parse_formula", "parse_vcov", "formula_to_spec"]

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_C_RE = re.compile(r"^C\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\)$")


@dataclass(frozen=True)
class ParsedFormula:
    """The parts of a formula, ready for a model spec."""

    outcome: str
    regressors: tuple[str, ...]
    interactions: tuple[tuple[str, ...], ...]
    effects: tuple[str | tuple[str, ...], ...]
    endogenous: tuple[str, ...]
    instruments: tuple[str, ...]
    constant: bool
    categorical: tuple[str, ...] = ()

    def spec_fields(self) -> dict[str, Any]:
        """The spec fields the formula defines (``constant`` only when it is dropped)."""
        out: dict[str, Any] = {"outcome": self.outcome, "regressors": list(self.regressors)}
        if self.interactions:
            out["interactions"] = [list(i) for i in self.interactions]
        if self.effects:
            out["effects"] = [e if isinstance(e, str) else list(e) for e in self.effects]
        if self.endogenous:
            out["endogenous"] = list(self.endogenous)
            out["instruments"] = list(self.instruments)
        if not self.constant and not self.effects:
            out["constant"] = False
        return out


def _name(expr: str, formula: str, where: str) -> str:
    expr = expr.strip()
    if expr.startswith("`") and expr.endswith("`"):
        expr = expr[1:-1]
    if not _NAME_RE.match(expr):
        raise SpecError("formula", where, "must be a column name (transform the column first)", [expr, formula])
    return expr


def _rhs_terms(rhs: str, formula: str, where: str) -> tuple[list[str], list[tuple[str, ...]], bool, list[str]]:
    """Regressors, interactions, constant flag and categorical columns of a right-hand side."""
    import formulaic

    try:
        terms = list(formulaic.Formula(rhs))
    except Exception as exc:  # formulaic raises its own parser errors
        raise SpecError("formula", where, f"cannot be parsed ({exc})", [formula]) from None
    regs: list[str] = []
    inter: list[tuple[str, ...]] = []
    cats: list[str] = []
    constant = False
    for term in terms:
        factors = [f.expr for f in term.factors]
        if factors == ["1"]:
            constant = True
            continue
        cols = []
        for f in factors:
            m = _C_RE.match(f)
            if m:
                cols.append(m.group(1))
                cats.append(m.group(1))
            else:
                cols.append(_name(f, formula, where))
        if len(cols) == 1:
            if cols[0] in cats:
                raise SpecError("formula", where, "C(x) alone is not supported: absorb it as a fixed effect "
                                "after '|' or interact it (x:C(g))", [factors[0]])
            regs.append(cols[0])
        else:
            inter.append(tuple(cols))
    return regs, inter, constant, cats


def parse_formula(formula: str) -> ParsedFormula:
    """Parse a fixest-style formula (module docstring) into its parts."""
    if not isinstance(formula, str) or "~" not in formula:
        raise SpecError("formula", "formula", "must be a string 'y ~ x1 + x2 [| fe1 + fe2] [| endog ~ instr]'",
                        [formula])
    lhs, rest = formula.split("~", 1)
    outcome = _name(lhs, formula, "outcome")
    parts = [p.strip() for p in rest.split("|")]
    endog: list[str] = []
    instr: list[str] = []
    if len(parts) > 1 and "~" in parts[-1]:
        e, z = parts.pop().split("~", 1)
        endog = [_name(v, formula, "endogenous") for v in e.split("+") if v.strip()]
        instr = [_name(v, formula, "instruments") for v in z.split("+") if v.strip()]
        if not endog or not instr:
            raise SpecError("formula", "iv", "needs 'endogenous ~ instruments' as its last part", [formula])
    if len(parts) > 2 or any("~" in p for p in parts):
        raise SpecError("formula", "formula", "has too many parts: use 'y ~ x | fe | endog ~ instr'", [formula])
    if not parts[0]:
        raise SpecError("formula", "regressors", "are empty (write '1' for none)", [formula])
    regs, inter, constant, cats = _rhs_terms(parts[0], formula, "regressors")
    effects: list[str | tuple[str, ...]] = []
    if len(parts) == 2 and parts[1] not in ("", "0"):
        for eff in parts[1].split("+"):
            cols = tuple(_name(c, formula, "effects") for c in eff.split("^"))
            effects.append(cols[0] if len(cols) == 1 else cols)
    return ParsedFormula(outcome, tuple(regs), tuple(inter), tuple(effects), tuple(endog), tuple(instr),
                         constant, tuple(cats))


def formula_to_spec(formula: str) -> dict[str, Any]:
    """The spec fields (outcome, regressors, interactions, effects, endogenous, instruments) of ``formula``."""
    return parse_formula(formula).spec_fields()


def parse_vcov(vcov: Any, *, correction: str | None = None) -> dict[str, Any]:
    """A covariance shorthand (module docstring) as a spec ``cov`` mapping."""
    if vcov is None:
        cov: dict[str, Any] = {"type": "homoskedastic"}
    elif isinstance(vcov, str):
        key = vcov.strip()
        low = key.lower()
        if low in ("iid", "homoskedastic", "classical"):
            cov = {"type": "homoskedastic"}
        elif low in ("hetero", "hc1", "robust"):
            cov = {"type": "robust", "correction": "dof"}
        elif low == "hc0":
            cov = {"type": "robust", "correction": "none"}
        elif low in ("dk", "driscoll_kraay", "driscoll-kraay"):
            cov = {"type": "driscoll_kraay"}
        else:
            raise SpecError("vcov", "vcov", "is not one of 'iid', 'hetero', 'HC1', 'HC0', 'DK', "
                            "{'CRV1': 'col'}, {'CRV1': 'col1+col2'}, {'DK': bandwidth}", [vcov])
    elif isinstance(vcov, Mapping):
        if "type" in vcov:
            cov = dict(vcov)
        elif len(vcov) == 1:
            (key, val), = vcov.items()
            up = str(key).upper()
            if up in ("CRV1", "CR1", "CLUSTER"):
                cols = [c.strip() for c in (val.split("+") if isinstance(val, str) else list(val))]
                if not cols or len(cols) > 2 or not all(cols):
                    raise SpecError("vcov", "CRV1", "needs one or two cluster columns ('a' or 'a+b')", [val])
                cov = {"type": "clustered", "cluster": cols[0] if len(cols) == 1 else cols}
            elif up in ("CRV0", "CR0"):
                cols = [c.strip() for c in (val.split("+") if isinstance(val, str) else list(val))]
                cov = {"type": "clustered", "cluster": cols[0] if len(cols) == 1 else cols, "correction": "none"}
            elif up == "DK":
                cov = {"type": "driscoll_kraay"}
                if val is not None:
                    cov["bandwidth"] = val
            else:
                raise SpecError("vcov", str(key), "is not a known covariance ('CRV1', 'CRV0', 'DK')", [vcov])
        else:
            raise SpecError("vcov", "vcov", "must have a single key such as {'CRV1': 'region'}", [vcov])
    else:
        raise SpecError("vcov", "vcov", "must be a string or a mapping", [type(vcov).__name__])
    if correction is not None:
        cov["correction"] = correction
    return cov
