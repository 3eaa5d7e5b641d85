"""Data refresh: new vintages, revision reports against the previous vintage, moved estimates.

* :mod:`.revisions` -- :func:`revision_report` (pure: two tidy tables of cells in, revision tables out);
* :mod:`.sources` -- vintages as comparable cells (fetch-layer tables, the Data Commons CSV, bulk TSV),
  explicit unit conversion;
* :mod:`.estimates` -- :func:`compare_runs`: which estimates moved between two runs' model records;
* :mod:`.writers` -- CSV (formula-safe) and Markdown reports, written atomically;
* :mod:`.runner` -- ``i4d refresh``: fetch -> report -> rerun Snakemake -> moved estimates.
"""

from i4districts.refresh.estimates import compare_runs, model_quantities, moved_estimates
from i4districts.refresh.revisions import RevisionReport, revision_report
from i4districts.refresh.sources import read_cells
from i4districts.refresh.writers import write_estimates, write_reports

__all__ = ["RevisionReport", "compare_runs", "model_quantities", "moved_estimates", "read_cells", "revision_report",
           "write_estimates", "write_reports"]
