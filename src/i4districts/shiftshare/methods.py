"""Names of the shift-share inference methods (no heavy imports: specs are validated while the
Snakefile is parsed)."""

METHODS: tuple[str, ...] = ("homoskedastic", "ehw", "cluster", "akm", "akm0")
"""The analytic methods (ShiftShareSE's ``method="all"``; what ``methods: all`` means in a spec)."""

RI = "ri"
"""Randomization inference over permutations of the shifts (:mod:`i4districts.shiftshare.ri`)."""

ALL_METHODS: tuple[str, ...] = (*METHODS, RI)
"""Every method a spec may request: the analytic ones plus ``ri``."""
