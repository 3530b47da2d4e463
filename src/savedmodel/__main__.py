"""`python -m savedmodel ...`: the `savedmodel` command line (see savedmodel.cli.main)."""

from __future__ import annotations

import sys

from savedmodel.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
