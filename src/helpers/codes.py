"""Codes and identifiers written differently by each system, brought to one canonical form.

Every function takes an Arrow array of raw strings (null or blank = no value) and a pattern from
the system's source definition, and returns canonical values, null where the raw value is blank or
unreadable. `invalid` tells the two apart, so the loader can quarantine what is unreadable instead
of dropping it. Arrow's compute kernels do the work: a million rows take milliseconds.
"""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Home Office outcome types in force (1-22); 19 is Action Fraud only, but it is on the list
HO_OUTCOMES = range(1, 23)

#: titles of the Home Office classes this project names in its tables and notes
HO_CLASS_TITLES: dict[str, str] = {
    "088/01": "Meeting a female child following sexual grooming",
    "088/02": "Meeting a male child following sexual grooming",
    "071/17": "Sexual communication with a child",
}

PENDING = "pending"

Strings = pa.Array | pa.ChunkedArray


def as_text(values) -> pa.ChunkedArray:
    """Raw values as trimmed text, blank as null."""
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.string())
    if array.type != pa.string():
        array = pc.cast(array, pa.string())
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def invalid(raw: Strings, parsed: Strings) -> np.ndarray:
    """True where a raw value was given but could not be read."""
    given = pc.is_valid(as_text(raw))
    return pc.and_(given, pc.is_null(parsed)).to_numpy(zero_copy_only=False)


def _group(extracted, name: str) -> pa.ChunkedArray:
    """A named group of `extract_regex`'s result, null where the pattern did not match."""
    return pc.if_else(pc.is_valid(extracted), pc.struct_field(extracted, name), pa.scalar(None, pa.string()))


_WIDTHS = {"%d": 2, "%m": 2, "%Y": 4, "%H": 2, "%M": 2, "%S": 2}


def _format_parts(fmt: str) -> list[str]:
    return [part for part in re.split(r"(%[dmYHMS])", fmt) if part]


def _format_regex(fmt: str) -> str:
    """A strptime format as the exact shape it accepts (`%d/%m/%Y` -> two digits, slash, ...)."""
    return "^" + "".join(rf"\d{{{_WIDTHS[p]}}}" if p in _WIDTHS else re.escape(p) for p in _format_parts(fmt)) + "$"


def _day_offset(fmt: str) -> int | None:
    """Where the day of the month sits in a value of this (fixed-width) format."""
    offset = 0
    for part in _format_parts(fmt):
        if part == "%d":
            return offset
        offset += _WIDTHS.get(part, len(part))
    return None


def parse_datetimes(values: Strings, formats: tuple[str, ...] | list[str]) -> pa.ChunkedArray:
    """Local date-times written in exactly one of `formats` (first match wins); null otherwise.

    The value must have the format's exact shape (`1/1/2013` or trailing text are not read), and
    its day must exist: Arrow's strptime would turn 31/02/2016 into 2 March, so the parsed day is
    compared with the written one.
    """
    text = as_text(values)
    result = None
    for fmt in formats:
        shaped = pc.match_substring_regex(text, _format_regex(fmt))
        candidate = pc.if_else(shaped, text, pa.scalar(None, pa.string()))
        parsed = pc.strptime(candidate, format=fmt, unit="s", error_is_null=True)
        offset = _day_offset(fmt)
        if offset is not None:
            written_day = pc.cast(pc.utf8_slice_codeunits(candidate, offset, offset + 2), pa.int64())
            parsed = pc.if_else(pc.equal(pc.day(parsed), written_day), parsed, pa.scalar(None, parsed.type))
        result = parsed if result is None else pc.coalesce(result, parsed)
    return result


def parse_dates(values: Strings, fmt: str) -> pa.ChunkedArray:
    """Dates written in `fmt`; null for blank or impossible dates."""
    return parse_datetimes(values, (fmt,))


def _int_text(values: pa.ChunkedArray, width: int = 0) -> pa.ChunkedArray:
    """Digits as a number in text, without leading zeros, left-padded with zeros to `width`."""
    text = pc.cast(pc.cast(values, pa.int64()), pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def normalise_ho_class(values: Strings, pattern: str) -> pa.ChunkedArray:
    """`88/1` and `088/01` -> `088/01`: the class zero-padded to 3 digits, subclass to 2."""
    found = pc.extract_regex(as_text(values), pattern)
    return pc.binary_join_element_wise(_int_text(_group(found, "cls"), 3), _int_text(_group(found, "sub"), 2), "/")


def parse_outcome(values: Strings, pattern: str) -> pa.ChunkedArray:
    """The Home Office outcome number (`15`, `01`, `OC01 – Charge/Summons` -> 15, 1, 1).

    Numbers outside the Home Office list come back as null; `invalid` finds them.
    """
    number = pc.cast(_group(pc.extract_regex(as_text(values), pattern), "num"), pa.int64())
    in_list = pc.and_(pc.greater_equal(number, HO_OUTCOMES.start), pc.less(number, HO_OUTCOMES.stop))
    return pc.if_else(in_list, number, pa.scalar(None, pa.int64()))


def _on_given(text: pa.ChunkedArray, work) -> pa.Array:
    """`work` applied to the values given only (most person rows have no PNC ID, for one), the
    blanks left null."""
    given = pc.is_valid(text)
    if pc.all(given).as_py() is not False:  # all given (or none at all): nothing to leave out
        return work(text)
    done = work(text.filter(given))
    done = done.combine_chunks() if isinstance(done, pa.ChunkedArray) else done
    return pc.replace_with_mask(pa.nulls(len(text), done.type), given.combine_chunks() if isinstance(given, pa.ChunkedArray) else given, done)


def normalise_pnc_id(values: Strings, pattern: str) -> pa.Array:
    """PNC IDs in one form, `YY/SERIALC` with the serial as a plain number: `00/448754A`.

    CMS writes `2000/0448754A`, Connect `00/448754A`; two are the same individual's when the
    two-digit year, the serial as a number and the check letter agree. Hand-keyed stray spaces
    and lower case are forgiven.
    """
    return _on_given(as_text(values), lambda text: _normalise_pnc(text, pattern))


def _normalise_pnc(text, pattern: str):
    cleaned = pc.utf8_upper(pc.replace_substring_regex(text, r"\s+", ""))
    found = pc.extract_regex(cleaned, pattern)
    year = pc.utf8_slice_codeunits(_group(found, "year"), -2)
    serial = _int_text(_group(found, "serial"))
    return pc.binary_join_element_wise(year, pc.binary_join_element_wise(serial, _group(found, "check"), ""), "/")


def normalise_cjs_code(values: Strings) -> pa.ChunkedArray:
    """CJS offence codes upper-case without spaces (`sx03225a ` -> `SX03225A`); blank -> null."""
    return as_text(pc.utf8_upper(pc.replace_substring_regex(as_text(values), r"\s+", "")))


def normalise_ho_class_code(code: str) -> str:
    """One classification code written by a person (a parameters file): `88/1` -> `088/01`."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{1,2})\s*", str(code))
    if not match:
        raise ValueError(f"{code!r} is not a Home Office classification such as 088/01")
    return f"{int(match[1]):03d}/{int(match[2]):02d}"


def local_day_bounds(day_from, day_to) -> tuple[np.datetime64, np.datetime64]:
    """Whole local days, inclusive: [from 00:00, to + 1 day 00:00)."""
    start = np.datetime64(datetime(day_from.year, day_from.month, day_from.day), "s")
    end = np.datetime64(datetime(day_to.year, day_to.month, day_to.day), "s") + np.timedelta64(1, "D")
    return start, end
