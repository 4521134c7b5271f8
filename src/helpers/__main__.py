"""`python -m helpers` is `foi-briefing`."""

from helpers.run.cli import cli

cli()
