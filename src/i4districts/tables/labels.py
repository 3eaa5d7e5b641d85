"""Default labels of table terms, derived from a result's model spec (never hard-coded per variable).

* long difference ``start``–``end``: ``"Δ <term>, <start>–<end>"``, or ``"<term> (<start>)"`` for a
  regressor taken in levels at the start;
* first difference: ``"Δ <term>"``;
* otherwise the term itself (interactions ``a:b`` shown as ``a × b``).

Labels given by the user (config ``tables.labels``) always win.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

INTERCEPTS = ("const", "Intercept", "(intercept)", "_cons")


def default_term_labels(record: Mapping[str, Any]) -> dict[str, str]:
    """Labels for the terms of one result record (``to_dict()`` of either result kind)."""
    spec = record.get("spec") or {}
    estimator = spec.get("estimator") or record.get("estimator")
    out: dict[str, str] = {}
    for row in record.get("coefficients", []):
        term = str(row["term"])
        if term in INTERCEPTS:
            out[term] = "Constant"
            continue
        text = " × ".join(term.split(":"))
        if estimator == "long_difference" and spec.get("long_difference"):
            ld = spec["long_difference"]
            in_levels = set(term.split(":")) <= set(ld.get("levels") or ())
            text = f"{text} ({ld['start']})" if in_levels else f"Δ {text}, {ld['start']}–{ld['end']}"
        elif estimator == "first_difference":
            text = f"Δ {text}"
        out[term] = text
    return out


def term_labels(records: Iterable[Mapping[str, Any]], user: Mapping[str, str] | None = None) -> dict[str, str]:
    """Derived labels of every record's terms, overridden by ``user`` labels."""
    labels: dict[str, str] = {}
    for rec in records:
        for term, text in default_term_labels(rec).items():
            labels.setdefault(term, text)
    labels.update(user or {})
    return labels
