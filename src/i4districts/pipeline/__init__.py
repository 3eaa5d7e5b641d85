"""The I/O layer of the default pipeline: one function per step (read, call pure code, write).

Each step is also an ``i4d`` subcommand (see :mod:`i4districts.pipeline.cli`)
and a Snakemake rule in ``workflow/rules/``; none of them needs Snakemake.
"""
