"""The interface every leak rule meets, and what the gate gives a rule besides the release.

A rule checks all the release's contents at once, since the rules that ask the extracts
(`reads_extract`) ask once for the whole release: the identifier rule one look-up of every
candidate token, the copied-text rule one pass over the texts. The gate (`helpers.gate.check`)
runs its list of rules, `RULES`, in one loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from helpers.gate.readers import Content
from helpers.gate.report import Finding
from helpers.gate.sensitive import Sensitive


@dataclass(frozen=True)
class Context:
    """What a rule may need besides the contents."""

    threshold: int  # the disclosure threshold: a count below it must not be shown
    sensitive: Sensitive | None  # what the extracts hold; None: the tables' gate without them

    def extract(self) -> Sensitive:
        """`sensitive`, for a rule that reads the extract (the gate runs those only with it)."""
        if self.sensitive is None:
            raise ValueError("this release gate rule needs what the extracts hold")
        return self.sensitive


class Rule(Protocol):
    """One leak rule: a module of `helpers.gate.rules`, whose docstring states the rule."""

    name: str  # the rule its findings name (`Finding.rule`)
    reads_extract: bool  # asks `context.sensitive`: runs only with it, beside the other such rules

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        """The rule's findings in each content, in the order of `contents`."""
        ...
