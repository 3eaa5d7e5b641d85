"""Publication tables: LaTeX (booktabs), Markdown, CSV and HTML from estimation results."""
