"""i4districts.golden (in progress)."""
