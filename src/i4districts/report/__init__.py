"""i4districts.report (in progress)."""
