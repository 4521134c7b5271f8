"""YAML files a user writes (a request's parameters, a force profile), read as hostile input.

Each is at most `MAX_FILE_BYTES`, UTF-8, nested at most `MAX_DEPTH` deep, with no anchors or
aliases; a file that breaks a rule, or is not YAML, is one line naming the file and the line.
A schema's first problem is one line naming the key (`one_line`).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
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
            f"{path.name}: larger than {MAX_FILE_BYTES // 1_000_000} MB (a parameters file is a "
            "few kB): is it the right file?"
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


def one_line(error: ValidationError) -> str:
    """The first problem pydantic found, as `key: what is wrong` (nested keys joined by dots)."""
    first = error.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a rule across keys names its key itself
        return message
    key = ".".join(shown_key(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        message = "unknown key (is it misspelt?)"
    elif first["type"] == "missing":
        message = "missing (required)"
    elif (shown := _shown_value(first.get("input"))) is not None:
        message = f"{message} (got {shown})"
    if len(message) > 200:  # a message quoting a long value (a class code, a group's name)
        message = message[:200] + "..."
    more = len(error.errors()) - 1
    return f"{key}: {message}" + (
        f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    )


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
