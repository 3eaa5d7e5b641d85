"""Publication tables from one tidy source: LaTeX (booktabs), Markdown, CSV and HTML (great-tables).

* :mod:`.render` – the :class:`~.render.Table` (long cells: text shown and full-precision value) and
  the Markdown/CSV renderers, :func:`~.render.write_table`; :mod:`.latex` and :mod:`.html` the others;
* :mod:`.regression` – regression tables of panel and shift-share results (:func:`~.regression.regression_table`),
  :mod:`.etable` its ``i4d.etable`` front;
* :mod:`.descriptive`, :mod:`.indicator_tables`, :mod:`.district_table`, :mod:`.diagnostics_table` –
  descriptive statistics, top provinces / local labour systems by manufacturing LQ, the district list with
  its step-by-step decisions, and the shift-share design diagnostics;
* :mod:`.notes` – notes from metadata (data source and vintage, sample); :mod:`.labels` – term labels.
"""
