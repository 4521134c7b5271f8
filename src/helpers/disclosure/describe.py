"""The plain-words method note: how this response's small numbers were protected."""

from __future__ import annotations

import re

import numpy as np

from helpers.disclosure.tables import (
    ACROSS_RELEASES,
    DISTINCT_TOTALS,
    PRIMARY,
    SECONDARY,
    SECONDARY_DISPLAY,
    Protection,
    is_total,
    primary_display,
)
from helpers.errors import DisclosureError


def _count_phrase(n: int, one: str, many: str) -> str:
    words = {
        1: "one",
        2: "two",
        3: "three",
        4: "four",
        5: "five",
        6: "six",
        7: "seven",
        8: "eight",
        9: "nine",
    }
    return f"{words.get(n, str(n))} {one if n == 1 else many}"


#: what markdown can read as markup in the middle of a line: emphasis, code, links and images,
#: raw HTML, entities, strikethrough, tables (a line break, which could start a block, is a space)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&!~|#])")


def markdown_text(text: str) -> str:
    """A text from the parameters (a table's title) in the note's markdown, shown as typed:
    markdown's special characters backslash-escaped, whitespace runs as one space."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def checked_against(published_releases: int) -> str:
    """The last words of the note: what the checking program could not do, and against what.
    True of the disclosure log: with no release published from it, of this response alone."""
    if published_releases == 0:
        return "It could not narrow any hidden figure down to a single number."
    releases = _count_phrase(published_releases, "release", "releases")
    return (
        "It could not narrow any hidden figure down to a single number, from this response alone "
        f"or checked against the {releases} we have published from these records with this tool."
    )


#: what a response's figures are about, in the note's first sentence, unless the caller says
SEXUAL_OFFENCES_AGAINST_CHILDREN = "sexual offences against children"


def describe_protection(
    protection: Protection,
    published_releases: int = 0,
    about: str = SEXUAL_OFFENCES_AGAINST_CHILDREN,
) -> str:
    """A plain-words markdown note on how small numbers were protected, for the method section.
    The tables' titles, which can hold the request's words, are escaped (`markdown_text`): render
    it with raw HTML off. `published_releases`: how many releases of the disclosure log the
    tables were checked against (the note says so). `about`: what the figures are about.

    Raises :class:`DisclosureError` for an unsafe protection: its tables must not be released.
    """
    if not protection.safe:
        raise DisclosureError("this protection is not safe; its tables must not be released")
    T = protection.threshold
    lt = primary_display(T)
    counts = protection.counts_by_status()
    n_primary = sum(c[PRIMARY] for c in counts.values())
    n_secondary = sum(c[SECONDARY] for c in counts.values())
    paragraphs = [
        f"**How small numbers are protected.** These figures are about {about}. A very small "
        "number, or one that could be worked out from the others, could help someone identify a "
        f"victim or a suspect, so we apply a threshold of {T}."
    ]
    if n_primary == 0:
        paragraphs.append(
            f"No figure in this response is between 1 and {T - 1}, so every figure is shown "
            "exactly. A zero is shown as 0."
        )
        return "\n\n".join(paragraphs) + "\n"
    paragraphs.append(
        f"Any figure from 1 to {T - 1} is shown as `{lt}` instead of the exact number. "
        "A zero is shown as 0, because it describes no one."
    )
    if n_secondary:
        sources = ["subtracting the other figures in a row or column from its total"]
        if "equal" in protection.link_kinds:
            sources.append("comparing figures that appear in more than one table")
        if "subset" in protection.link_kinds:
            sources.append("comparing a figure with a larger figure that includes it")
        if "union" in protection.link_kinds:
            sources.append(
                "comparing counts of people under each of two offences with the count under either"
            )
        if DISTINCT_TOTALS in protection.link_kinds:
            sources.append("comparing a total of people with the figures it counts once each")
        if ACROSS_RELEASES in protection.link_kinds:
            sources.append("comparing them with the figures of responses we published earlier")
        how = sources[0] if len(sources) == 1 else ", ".join(sources[:-1]) + " or " + sources[-1]
        withheld_totals = any(
            (
                (st.to_numpy() == SECONDARY)
                & (
                    np.array([is_total(r) for r in st.index])[:, None]
                    | np.array([is_total(c) for c in st.columns])[None, :]
                )
            ).any()
            for st in protection.status.values()
        )
        total_note = " For the same reason some totals are withheld." if withheld_totals else ""
        paragraphs.append(
            "Hiding a small number is not enough if it can still be worked out from the figures "
            f"around it, for example by {how}. Where that was possible we also withheld one or "
            f"more larger figures, shown as `{SECONDARY_DISPLAY}` (\u201cconfidential\u201d). "
            f"A `{SECONDARY_DISPLAY}` always stands for {T} or more, never for a small number: "
            "it is withheld only so that the small numbers near it cannot be calculated."
            + total_note
        )
    per_table = []
    for name, c in counts.items():
        if not (c[PRIMARY] or c[SECONDARY]):
            continue
        parts = []
        if c[PRIMARY]:
            parts.append(f"{_count_phrase(c[PRIMARY], 'figure', 'figures')} shown as `{lt}`")
        if c[SECONDARY]:
            parts.append(
                f"{_count_phrase(c[SECONDARY], 'figure', 'figures')} shown as `{SECONDARY_DISPLAY}`"
            )
        title = markdown_text(protection.titles.get(name, name))  # the request's words
        per_table.append(f"- *{title}*: " + " and ".join(parts) + ".")
    paragraphs.append("\n".join(per_table))
    paragraphs.append(
        "Before release, the tables were checked by a program that plays the part of someone "
        "trying to recover the hidden figures. It used every total and every relationship between "
        f"the tables, and knew that each `{lt}` is between 1 and {T - 1}"
        + (f" and each `{SECONDARY_DISPLAY}` is {T} or more" if n_secondary else "")
        + ". "
        + checked_against(published_releases)
    )
    return "\n\n".join(paragraphs) + "\n"
