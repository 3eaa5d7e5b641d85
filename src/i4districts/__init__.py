"""i4districts: Industry 4.0 adoption and employment in industrial districts.

All logic lives in this package as pure functions (DataFrame in, DataFrame
out) plus one thin I/O layer per pipeline step; Snakemake rules call the
``i4d`` command line.
"""

__version__ = "0.1.0"
