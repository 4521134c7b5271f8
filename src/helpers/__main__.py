"""`python -m helpers` is `foi-briefing`."""

import sys

from helpers.runner import main

sys.exit(main())
