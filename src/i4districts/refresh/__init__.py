"""i4districts.refresh (in progress)."""
