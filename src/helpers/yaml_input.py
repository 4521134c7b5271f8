"""YAML files a user writes (a request's parameters, a force profile), read as hostile input.

Each is at most `MAX_FILE_BYTES`, UTF-8, nested at most `MAX_DEPTH` deep, with no anchors or
aliases; a file that breaks a rule, or is not YAML, is one line naming the file and the line.
A schema's first problem is one line naming the key (`one_line`); a misspelt key gets the known
key it is closest to, and a date written day first (or in words) its year-month-day form.
"""

from __future__ import annotations

import codecs
import difflib
import re
import types
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.error import Mark
from yaml.nodes import Node

from helpers.errors import BriefingError

#: the largest file read (a request's file or a profile is a few kB; the YAML parser is pure
#: Python, a few seconds a MB) and the deepest nesting of its values
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20


@dataclass(frozen=True)
class Kind:
    """What a file is, for its errors: its name in a message, how deep it nests, its error."""

    name: str
    depth: int
    error: type[BriefingError]


def read_yaml(path: Path, kind: Kind) -> Any:
    """The file's YAML value, or `kind.error` in one line naming the file (and the line)."""
    if not path.is_file():
        raise kind.error(f"{path}: {kind.name} not found")
    return _load_yaml(path.name, _read_text(path, kind), kind)


def _read_text(path: Path, kind: Kind) -> str:
    """The file's text: at most `MAX_FILE_BYTES`, UTF-8 (a byte-order mark is dropped)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise kind.error(f"{path.name}: cannot be read ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise kind.error(
            f"{path.name}: larger than {MAX_FILE_BYTES // 1_000_000} MB (a {kind.name} is a few "
            "kB): is it the right file?"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        raise kind.error(f"{path.name}: saved as UTF-16: save it as UTF-8")
    skipped = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skipped:].decode("utf-8")
    except UnicodeDecodeError as error:
        at = skipped + error.start
        line = data.count(b"\n", 0, at) + 1
        raise kind.error(
            f"{path.name}: line {line}, byte {at + 1}: not UTF-8 text (byte 0x{data[at]:02X}): "
            "save the file as UTF-8"
        ) from None


def _looks_utf16(data: bytes) -> bool:
    """Text saved as UTF-16 without a byte-order mark: every other byte of its ASCII is zero."""
    start = data[:200]
    return len(start) >= 2 and start.count(0) * 3 >= len(start)


class _Refused(yaml.YAMLError):
    """Something the loader refuses in a parameters file, and where."""

    def __init__(self, problem: str, mark: Mark) -> None:
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class _Loader(yaml.SafeLoader):
    """`yaml.safe_load`'s loader refusing what a settings file never needs: an anchor or alias
    (a few lines of aliases expand to gigabytes) and nesting deeper than `MAX_DEPTH` (its
    composer recurses: 20,000 brackets exhaust Python's stack). A scalar it cannot make a value
    of (`2015-02-30`, an integer of 5,000 digits) becomes a YAML error with its line."""

    _depth = 0

    def __init__(self, text: str, kind: Kind) -> None:
        super().__init__(text)
        self.kind = kind

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                f"anchors and aliases (& and *) are not allowed in a {self.kind.name}",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    f"nested more than {MAX_DEPTH} deep "
                    f"(a {self.kind.name} nests {self.kind.depth} deep)",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """A mapping whose keys are each given once: YAML keeps the last of two equal keys, and
        a second `terms:` would silently replace the first."""
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                seen = key in first
            except TypeError:  # an unhashable key: the base loader says so
                continue
            if seen:
                raise _Refused(
                    f"the key {key!r} is given twice (first on line {first[key]})",
                    key_node.start_mark,
                )
            first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as error:
            kind = node.tag.rpartition(":")[2]
            what = {"int": "whole number", "float": "number", "timestamp": "date"}.get(kind, kind)
            problem = str(error).split(":")[0][:80]
            raise _Refused(f"not a valid {what} ({problem})", node.start_mark) from None


def _load_yaml(name: str, text: str, kind: Kind) -> Any:
    """The YAML's value, or `kind.error` naming the file and the line."""
    try:
        loader = _Loader(text, kind)  # checks every character at once
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise kind.error(
            f"{name}: line {line}: a character YAML does not allow (#x{error.character:04x}): "
            "remove it"
        ) from None
    except _Refused as error:
        raise kind.error(f"{name}: line {error.problem_mark.line + 1}: {error.problem}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        problem = " ".join(str(getattr(error, "problem", None) or error).split())
        raise kind.error(f"{name}:{where} not valid YAML ({problem})") from None


def one_line(error: ValidationError, schema: type[BaseModel] | None = None) -> str:
    """The first problem pydantic found, as `key: what is wrong` (nested keys joined by dots).

    With the `schema` the file was checked against, an unknown key close to a known one says
    which (`tabels: unknown key: did you mean tables?`), and is told before the missing key it
    explains; the labels pydantic gives a union's members are left out of the key.
    """
    problems = error.errors()
    first, suggestion = _first_problem(problems, schema)
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a rule across keys names its key itself
        return message
    key = ".".join(shown_key(part) for part in _shown_loc(first["loc"], schema))
    if first["type"] == "extra_forbidden":
        message = (
            f"unknown key: did you mean {suggestion}?"
            if suggestion
            else "unknown key (is it misspelt?)"
        )
    elif first["type"] == "missing":
        message = "missing (required)"
    elif "date" in first["type"] and (hint := date_hint(first.get("input"))) is not None:
        message = f"not a date as YAML writes one (got {_shown_value(first['input'])}): {hint}"
    elif (shown := _shown_value(first.get("input"))) is not None:
        message = f"{message} (got {shown})"
    if len(message) > 200:  # a message quoting a long value (a class code, a group's name)
        message = message[:200] + "..."
    # the key a misspelling was meant to be is missing: one problem, told once
    meant = (*first["loc"][:-1], suggestion)
    more = sum(
        1 for p in problems if p is not first and not (p["type"] == "missing" and p["loc"] == meant)
    )
    return f"{key}: {message}" + (
        f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    )


def _first_problem(problems: list[Any], schema: type[BaseModel] | None) -> tuple[Any, str | None]:
    """The problem to tell, and the known key an unknown one is close to: a misspelt key first
    (`titel` is why `title` is missing), else pydantic's first problem."""
    if schema is not None:
        for problem in problems:
            if problem["type"] == "extra_forbidden":
                *parent, key = problem["loc"]
                suggestion = did_you_mean(key, known_keys(schema, tuple(parent)))
                if suggestion:
                    return problem, suggestion
    return problems[0], None


def did_you_mean(key: object, known: set[str]) -> str | None:
    """The known key an unknown one is most like (difflib's ratio at least 0.6), or None."""
    if not isinstance(key, str) or len(key) > 60:  # a long key is no misspelling
        return None
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return close[0] if close else None


def known_keys(schema: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """The keys a mapping at `loc` in a file checked against `schema` may hold (as written in the
    file: a field's alias if it has one); empty where the mapping's keys are the user's own (a
    dict's) or the schema does not say."""
    return {
        field.alias or name
        for model in _models(_types_at(schema, loc))
        for name, field in model.model_fields.items()
    }


def _shown_loc(loc: tuple[Any, ...], schema: type[BaseModel] | None) -> list[Any]:
    """The parts of `loc` a user wrote: without the names pydantic gives a union's members."""
    if schema is None:
        return list(loc)
    shown, types_here = [], [schema]
    for part in loc:
        types_here, member = _step(types_here, part)
        if not member:
            shown.append(part)
    return shown


def _types_at(schema: type[BaseModel], loc: tuple[Any, ...]) -> list[Any]:
    """The types the value at `loc` may have (following fields, dicts' values, lists' items)."""
    types_here: list[Any] = [schema]
    for part in loc:
        types_here, _ = _step(types_here, part)
    return types_here


def _step(types_here: list[Any], part: Any) -> tuple[list[Any], bool]:
    """The types one `loc` part down, and whether the part was a union member's name (pydantic
    puts `PeriodRange` in `period.PeriodRange.from`: the value's type, not a key)."""
    flat = [leaf for kind in types_here for leaf in _leaves(kind)]
    if len(flat) > 1 and isinstance(part, str):
        members = [kind for kind in flat if getattr(kind, "__name__", None) == part]
        if members:
            return members, True
    below: list[Any] = []
    for kind in flat:
        origin = get_origin(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = next((f for n, f in kind.model_fields.items() if part in (n, f.alias)), None)
            if field is not None:
                below.append(field.annotation)
        elif origin is dict and len(get_args(kind)) == 2:
            below.append(get_args(kind)[1])
        elif origin in (list, tuple, set, frozenset) and isinstance(part, int) and get_args(kind):
            below.append(get_args(kind)[0])
    return below, False


def _leaves(kind: Any) -> list[Any]:
    """A type without its `Annotated` and `Optional` wrapping: a union's members, each."""
    if get_origin(kind) is Annotated:
        return _leaves(get_args(kind)[0])
    if get_origin(kind) in (Union, types.UnionType):
        return [leaf for member in get_args(kind) for leaf in _leaves(member)]
    return [kind]


def _models(types_here: list[Any]) -> list[type[BaseModel]]:
    return [
        kind
        for kind in (leaf for each in types_here for leaf in _leaves(each))
        if isinstance(kind, type) and issubclass(kind, BaseModel)
    ]


#: dates a person writes: day first (`05/12/2018`, `5.12.18`), year first with other marks
#: (`2018/12/05`, `2018-12-5`), in words (`5 December 2018`, `December 5, 2018`)
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_FIRST = re.compile(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")
_MONTH_DAY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_MONTH_NAMES = (
    "january february march april may june july august september october november december".split()
)
_MONTHS = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}


def date_hint(value: object) -> str | None:
    """How to write a date YAML would not read, if `value` is one a person writes: "write
    2018-12-05" (day first, as in the UK: `05/12/2018` is 5 December; a two-digit year is this
    century's below 70), or "write dates year-month-day" for a date that does not exist."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    text = value.strip()
    if _ISO_DATE.fullmatch(text):
        return None  # written as it should be: pydantic says what is wrong with it (2015-02-30)
    if found := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
        if len(found[3]) == 2:
            year += 2000 if year < 70 else 1900
    elif found := _YEAR_FIRST.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    elif (found := _DAY_MONTH.fullmatch(text)) and found[2].lower() in _MONTHS:
        day, month, year = int(found[1]), _MONTHS[found[2].lower()], int(found[3])
    elif (found := _MONTH_DAY.fullmatch(text)) and found[1].lower() in _MONTHS:
        day, month, year = int(found[2]), _MONTHS[found[1].lower()], int(found[3])
    else:
        return None
    try:
        return f"write {date(year, month, day).isoformat()}"
    except ValueError:
        return "no such day: write dates year-month-day, as 2018-12-05"


def shown_key(part: object) -> str:
    """A key as an error names it: as it is, or quoted when it holds a line break or the like."""
    text = str(part)
    if text.isprintable() and len(text) <= 40:
        return text
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def _shown_value(value: object) -> str | None:
    """A short plain value as an error quotes it, or None (long, or not plain)."""
    if isinstance(value, int) and value.bit_length() > 200:
        return None  # no text of a number of thousands of digits (Python refuses to write it)
    if isinstance(value, (str, int, float, bool)) and len(str(value)) < 60:
        return repr(value)
    return None
