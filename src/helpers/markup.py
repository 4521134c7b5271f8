"""An HTML fragment the code has built (every text in it escaped), as Jupyter shows it.

Kept apart from the briefing's page so that any step (the review's worklist, the briefing) can
hand a notebook HTML without importing the briefing. Standard library only.
"""

from __future__ import annotations


class Html(str):
    """An HTML fragment that Jupyter displays as HTML (and nothing else: no text repr)."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # a notebook never shows the raw string
        return "<HTML fragment>"
