"""Home Office offence classifications: their one written form (`088/01`) and their titles.

Standard library only: a parameters file's classes are read with it before any data library
loads, and the extracts' columns (`codes.normalise_ho_class`) are written in the same form. The
titles come from the list shipped beside this module (`ho_classes.csv`; its header says where the
list comes from and how it was taken), read once, when a title is first asked for.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources

#: `088/01`: the class zero-padded to 3 digits, the subclass to 2
CLASS_DIGITS, SUBCLASS_DIGITS = 3, 2

#: the shipped list of classes and subclasses with their titles (package data, in the wheel)
CLASS_LIST = "ho_classes.csv"
CLASS_LIST_COLUMNS = ["code", "title", "group"]


def ho_class_code(cls: int | str, sub: int | str) -> str:
    """A class and subclass in the one written form: (88, 1) -> `088/01`."""
    return f"{int(cls):0{CLASS_DIGITS}d}/{int(sub):0{SUBCLASS_DIGITS}d}"


def normalise_ho_class_code(code: str) -> str:
    """One classification code written by a person (a parameters file): `88/1` -> `088/01`."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{1,2})\s*", str(code), re.ASCII)
    if not match:
        raise ValueError(f"{code!r} is not a Home Office classification such as 088/01")
    return ho_class_code(match[1], match[2])


def class_title(code: str, own: Mapping[str, str] | None = None) -> str | None:
    """The title of a class (`088/01`, or `88/1` as a person writes it): the force's own (`own`,
    a profile's `class_titles`, by code in its one written form), else the shipped list's; None
    when neither has it or the text is not a classification."""
    try:
        written = normalise_ho_class_code(code)
    except ValueError:
        return None
    return (own or {}).get(written) or class_titles().get(written)


def class_label(code: str, own: Mapping[str, str] | None = None) -> str:
    """`088/01 Meeting a female child following sexual grooming etc. (...)`: the code in its one
    written form and its title (`class_title`); the code alone when there is no title for it."""
    title = class_title(code, own)
    if title is None:
        return str(code)
    return f"{normalise_ho_class_code(code)} {title}"


@functools.cache
def class_titles() -> dict[str, str]:
    """Every class and subclass of the shipped list: `088/01` -> its title, without the closing
    full stop some titles have in the source (a row label, not a sentence; "etc." keeps its)."""
    return {row["code"]: _unstopped(row["title"]) for row in shipped_classes()}


@functools.cache
def shipped_classes() -> tuple[dict[str, str], ...]:
    """The rows of the shipped list (code, title, group), in its order."""
    return tuple(class_list_rows(_class_list_text()))


def class_list_groups() -> dict[str, int]:
    """The Home Office groups of the shipped list (`Burglary`), each with its number of classes,
    in the list's order."""
    return dict(Counter(row["group"] for row in shipped_classes()))


def whole_group(codes: Sequence[str]) -> str | None:
    """The Home Office group of the shipped list whose classes `codes` are, all of them and no
    other (a group pasted from `foi-briefing classes --group`), or None."""
    wanted = set(codes)
    groups = {row["group"] for row in shipped_classes() if row["code"] in wanted}
    if len(groups) != 1:
        return None
    (group,) = groups
    return (
        group if wanted == {r["code"] for r in shipped_classes() if r["group"] == group} else None
    )


def find_classes(
    words: Sequence[str] = (), group: str | None = None, own: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The classes of the shipped list each of whose `words` is a word of its title (any case;
    not one it excludes, "Criminal damage endangering life (excluding arson)" for `arson`) or
    its code (`28/3` or `028/03`; `028/` for a class's subclasses), of the Home Office `group`
    if given (any case), in the list's order. A class the force titles itself (`own`, a
    profile's `class_titles`) is searched and given by that title, the briefing's, with the
    list's as `listed`."""
    wanted = [word.strip() for word in words if word.strip()]
    rows = [
        {**row, "title": own[row["code"]], "listed": row["title"]}
        if own and row["code"] in own
        else row
        for row in shipped_classes()
    ]
    return [
        row
        for row in rows
        if (group is None or row["group"].casefold() == group.casefold())
        and all(_class_has(row, word) for word in wanted)
    ]


def _class_has(row: dict[str, str], word: str) -> bool:
    code = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{1,2})?\s*", word, re.ASCII)
    if code:  # a class (`28/3`), or a class's subclasses (`028/`)
        return (
            row["code"] == ho_class_code(*code.groups())
            if code[2]
            else row["code"].startswith(f"{int(code[1]):0{CLASS_DIGITS}d}/")
        )
    said = re.sub(r"\((?:excluding|except|other than|not)\b[^)]*\)", " ", row["title"], flags=re.I)
    return re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", said.casefold()) is not None


#: how much of a system's title of a class is kept and compared (`canonical.class_titles_of`)
TITLE_CHARACTERS = 200

#: words a title's comparison leaves out: they say nothing of which offence it is
_TITLE_FILLER = frozenset("a an and by etc for in of on or the to with".split())


def title_words(title: str, qualifier: bool = True) -> frozenset[str]:
    """A title's words as `titles_agree` compares them: any case, without punctuation, filler
    words, or a plural's `s`; without its parenthesised qualifier if `qualifier` is False."""
    plain = title.casefold() if qualifier else re.sub(r"\([^)]*\)", " ", title.casefold())
    return frozenset(
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in re.findall(r"[^\W_]+", plain)
        if word not in _TITLE_FILLER
    )


def titles_agree(given: str, listed: str) -> bool:
    """Whether a system's title of a class says what the shipped list's does: every word of the
    system's is the list's (its parenthesised qualifier left out), and the list's has at most one
    word more. `MEETING A FEMALE CHILD FOLLOWING SEXUAL GROOMING ETC` agrees with the list's
    `Meeting a female child following sexual grooming etc. (offender aged 18 or over ...)`, and
    `Sexual communication with a child` with `Engage Sexual communication with a child`; `Rape`
    does not with `Attempted rape of a female aged under 16`, nor `Attempted murder` with
    `Murder`, nor `Criminal damage (vehicle)` with `Racially or religiously aggravated other
    criminal damage`."""
    ours, theirs = title_words(given), title_words(listed, qualifier=False)
    return bool(ours) and ours <= theirs and len(theirs - ours) <= 1


def _unstopped(title: str) -> str:
    return title[:-1] if title.endswith(".") and not title.endswith("etc.") else title


def _class_list_text() -> str:
    return resources.files(__package__).joinpath(CLASS_LIST).read_text(encoding="utf-8")


def class_list_rows(text: str) -> list[dict[str, str]]:
    """The rows of a class list (`#` lines are its header notes): each code in the one written
    form, once, with a title; a malformed list is an error naming the line."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not line.startswith("#")]
    reader = csv.reader(line for _, line in lines)
    header = next(reader, None)
    if header != CLASS_LIST_COLUMNS:
        raise ValueError(f"{CLASS_LIST}: expected the columns {CLASS_LIST_COLUMNS} (got {header})")
    rows, seen = [], set()
    for (number, _), values in zip(lines[1:], reader, strict=True):
        row = dict(zip(CLASS_LIST_COLUMNS, values, strict=False))
        if len(values) != len(CLASS_LIST_COLUMNS) or not row["title"].strip():
            raise ValueError(f"{CLASS_LIST} line {number}: expected a code, a title and a group")
        if row["code"] in seen or row["code"] != _written_form(row["code"]):
            raise ValueError(f"{CLASS_LIST} line {number}: {row['code']!r} twice or not as 088/01")
        seen.add(row["code"])
        rows.append(row)
    return rows


def _written_form(code: str) -> str | None:
    try:
        return normalise_ho_class_code(code)
    except ValueError:
        return None
