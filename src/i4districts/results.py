"""One results protocol for panel and shift-share estimates.

:class:`ResultProtocol` is a mixin of both
:class:`i4districts.estimation.results.EstimationResult` (``kind = "panel"``) and
:class:`i4districts.shiftshare.results.ShiftShareResult` (``kind = "shiftshare"``).
It gives every result

* :meth:`~ResultProtocol.tidy` -- a DataFrame with the columns :data:`TIDY_COLUMNS`
  (``term, estimate, std_error, t, p, ci_low, ci_high``);
* :meth:`~ResultProtocol.coef` / :meth:`~ResultProtocol.se` -- Series indexed by term;
* :meth:`~ResultProtocol.summary` -- a printable text summary (model id, estimator,
  N, clusters, inference with the *named* small-sample correction, coefficient table);
* :meth:`~ResultProtocol.to_dict` -- one JSON layout for both kinds: the top-level keys
  :data:`COMMON_KEYS` (``model_id, kind, estimator, outcome, nobs, inference,
  coefficients``) plus kind-specific extras;
* :meth:`~ResultProtocol.write_json` / :meth:`~ResultProtocol.write_parquet` -- atomic
  writers (:mod:`i4districts.io`).

A class implementing the protocol provides ``kind``, ``_tidy_records()`` (list of
dicts with the seven tidy fields), ``_inference()`` (dict), ``_nobs()``,
``_outcome()``, ``_extras()`` (kind-specific JSON fields), ``_summary_lines()``
(extra header lines) and ``to_frame()`` (the Parquet rows).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar

__all__ = ["TIDY_COLUMNS", "COMMON_KEYS", "ResultProtocol", "SummaryText", "jsonable"]

TIDY_COLUMNS: list[str] = ["term", "estimate", "std_error", "t", "p", "ci_low", "ci_high"]
COMMON_KEYS: tuple[str, ...] = ("model_id", "kind", "estimator", "outcome", "nobs", "inference", "coefficients")


def jsonable(value: Any) -> Any:
    """Plain JSON value: numpy scalars unwrapped, tuples to lists, non-finite floats to ``None``."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, TypeError):  # pragma: no cover - arrays of size > 1
            return [jsonable(v) for v in value.tolist()]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class SummaryText(str):
    """The text of :meth:`ResultProtocol.summary`; displays as the text itself in a REPL or notebook."""

    def __repr__(self) -> str:  # noqa: D105
        return str(self)


def _num(x: Any, digits: int = 4) -> str:
    if x is None:
        return "."
    x = float(x)
    if math.isnan(x):
        return "."
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x != 0 and (abs(x) < 10 ** -digits or abs(x) >= 1e7):
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}f}"


class ResultProtocol:
    """Mixin: the common accessors, summary, JSON layout and writers of every result."""

    kind: ClassVar[str] = ""

    # ---------------------------------------------------------------- hooks
    def _tidy_records(self) -> list[dict[str, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _inference(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _nobs(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _outcome(self) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _extras(self) -> dict[str, Any]:
        return {}

    def _summary_lines(self) -> list[str]:
        return []

    def to_frame(self):  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------ accessors
    def tidy(self):
        """One row per term: ``term, estimate, std_error, t, p, ci_low, ci_high`` (a fresh DataFrame)."""
        import pandas as pd

        return pd.DataFrame(self._tidy_records(), columns=TIDY_COLUMNS)

    def coef(self):
        """Estimates as a Series indexed by term."""
        t = self.tidy()
        return pd_series(t["estimate"].to_numpy(), t["term"], "estimate")

    def se(self):
        """Standard errors as a Series indexed by term."""
        t = self.tidy()
        return pd_series(t["std_error"].to_numpy(), t["term"], "std_error")

    # -------------------------------------------------------------- summary
    def summary(self, digits: int = 4) -> SummaryText:
        """A printable summary: model, estimator, N, clusters, inference (named correction), coefficients.

        Returned as a :class:`SummaryText` (a ``str``); ``print(result.summary())`` shows it.
        """
        inf = self._inference()
        head = [
            f"Model: {getattr(self, 'model_id', None) or '-'}  ({self.kind})",
            f"Estimator: {self.estimator}    Outcome: {self._outcome()}    Observations: {self._nobs():,}",
        ]
        head += self._summary_lines()
        what = str(inf.get("label") or inf.get("type", ""))
        clusters = inf.get("clusters") or []
        ncl = inf.get("n_clusters")
        if clusters:
            counts = ncl if isinstance(ncl, (list, tuple)) else [ncl] * len(clusters)
            by = ", ".join(f"{c} ({n} clusters)" if n is not None else c for c, n in zip(clusters, counts))
            what += f" by {by}"
        head.append(f"Inference: {what}")
        corr = inf.get("correction")
        label = inf.get("correction_label")
        if corr:
            head.append(f"Small-sample correction: {corr}" + (f" -- {label}" if label else ""))
        dist = inf.get("distribution")
        if dist:
            df = inf.get("df")
            head.append(f"Distribution: {dist}" + (f"({df})" if dist == "t" and df is not None else "")
                        + f", confidence level {1 - float(inf.get('alpha', 0.05)):.0%}")
        rows = [["term", "estimate", "std_error", "t", "p", "ci_low", "ci_high"]]
        for r in self._tidy_records():
            rows.append([str(r["term"])] + [_num(r[c], digits) for c in TIDY_COLUMNS[1:]])
        widths = [max(len(row[j]) for row in rows) for j in range(len(rows[0]))]
        fmt = ["  ".join(c.ljust(widths[0]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(row))
               for row in rows]
        rule = "-" * len(fmt[0])
        return SummaryText("\n".join([*head, rule, fmt[0], rule, *fmt[1:], rule]) + "\n")

    # ----------------------------------------------------------------- JSON
    def to_dict(self) -> dict[str, Any]:
        """The common JSON layout (:data:`COMMON_KEYS`) plus the kind-specific extras."""
        common = {
            "model_id": getattr(self, "model_id", None),
            "kind": self.kind,
            "estimator": self.estimator,
            "outcome": self._outcome(),
            "nobs": int(self._nobs()),
            "inference": self._inference(),
            "coefficients": self._tidy_records(),
        }
        extras = {k: v for k, v in self._extras().items() if k not in common}
        return jsonable({**common, **extras})

    def write_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` atomically as JSON (:func:`i4districts.io.write_json`)."""
        from i4districts.io import write_json

        return write_json(self.to_dict(), path)

    def write_parquet(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` atomically as Parquet (:func:`i4districts.io.write_parquet`)."""
        from i4districts.io import write_parquet

        return write_parquet(self.to_frame(), path)

    def __str__(self) -> str:
        return str(self.summary())


def pd_series(values, index, name):
    import pandas as pd

    return pd.Series(values, index=pd.Index(list(index), name="term"), name=name)


def read_record(path: str | Path) -> dict[str, Any]:
    """An estimation record written by ``i4d estimate`` (JSON of :meth:`to_dict`), with ``_path`` added.

    A missing file, bad JSON or a JSON without ``model_id``, ``kind`` and ``coefficients`` raises
    :class:`~i4districts.errors.InputError` naming the file."""
    from i4districts.errors import InputError
    from i4districts.io import read_json

    p = Path(path)
    rec = read_json(p, what="result record of `i4d estimate`")
    missing = [k for k in ("model_id", "kind", "coefficients") if not isinstance(rec, dict) or k not in rec]
    if missing or not isinstance(rec.get("coefficients"), list):
        raise InputError(f"{p}: not an estimation record of `i4d estimate`: missing key(s) {missing or ['coefficients']}")
    rec.setdefault("_path", str(p))
    return rec
