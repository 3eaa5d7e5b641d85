"""i4districts.figures (in progress)."""
