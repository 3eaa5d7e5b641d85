"""``python -m i4districts`` runs the ``i4d`` command line."""

import sys

from i4districts.cli import main

sys.exit(main())
