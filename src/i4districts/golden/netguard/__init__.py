"""Network guard of replication mode.

This folder is put first on ``PYTHONPATH`` of the processes a replication run
starts: its ``sitecustomize.py`` then installs :mod:`i4d_netguard` in every
Python process (Snakemake and each ``i4d`` rule) before any other code runs,
and chains to the next ``sitecustomize`` on the path.
"""

from pathlib import Path

GUARD_DIR = Path(__file__).resolve().parent
