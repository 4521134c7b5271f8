"""`python -m helpers` is `foi-briefing`."""

from helpers.runner import cli

cli()
