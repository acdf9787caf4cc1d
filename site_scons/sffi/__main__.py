"""``python -m sffi`` runs the command line."""

import sys

from sffi.cli import main

sys.exit(main())
