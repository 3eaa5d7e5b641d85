"""Golden (published) results that CI validates.

A golden file per published model (``golden/<scenario>/<model>.json``:
estimates, standard errors, p-values, N, clusters and the shift-share design
diagnostics, see :mod:`~i4districts.golden.quantities`) with tolerances
declared per quantity (``golden/tolerances.yaml``,
:mod:`~i4districts.golden.tolerances`). ``i4d validate`` compares a run with
them (:func:`~i4districts.golden.api.validate_run`) or reruns the default
workflow in replication mode -- pinned inputs verified by sha256, no network
(asserted) -- and compares that (:func:`~i4districts.golden.api.validate_replication`).
The golden files change only through ``i4d golden record|update|drop|pin``,
each appending a dated line with the reason to ``golden/CHANGELOG.md``.
"""

from i4districts.golden.api import Outcome, record, show, update, validate_replication, validate_run
from i4districts.golden.compare import Check, compare, summarize
from i4districts.golden.quantities import record_quantities
from i4districts.golden.tolerances import Tolerance, Tolerances, load_tolerances

__all__ = ["Outcome", "validate_run", "validate_replication", "record", "update", "show", "Check", "compare",
           "summarize", "record_quantities", "Tolerance", "Tolerances", "load_tolerances"]
