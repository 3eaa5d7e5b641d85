"""i4districts.synth (in progress)."""
