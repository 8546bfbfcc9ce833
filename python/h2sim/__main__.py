"""``python -m h2sim``: the h2sim command line."""

import sys

from .cli import main

sys.exit(main())
