"""FOI briefing helpers: every rule of a request briefing, as small named functions."""

__version__ = "0.1.0"
