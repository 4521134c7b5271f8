"""Codes and identifiers written differently by each system, brought to one canonical form.

Every function takes an Arrow array of raw strings (null or blank = no value) and a pattern from
the system's source definition, and returns canonical values, null where the raw value is blank or
unreadable. `invalid` tells the two apart, so the loader can quarantine what is unreadable instead
of dropping it. Arrow's compute kernels (or numpy over the bytes) do the work.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpers.extracts.ho_classes import CLASS_DIGITS, SUBCLASS_DIGITS
from helpers.extracts.sources import ROLES

#: Home Office outcome types in force (1-22); 19 is Action Fraud only, but it is on the list
HO_OUTCOMES = range(1, 23)

#: titles of the Home Office classes this project names in its tables and notes
PENDING = "pending"

#: raw text values, one chunk or several
Strings: TypeAlias = pa.Array | pa.ChunkedArray


def as_text(values) -> pa.ChunkedArray:
    """Raw values as trimmed text, blank as null."""
    array = (
        values
        if isinstance(values, (pa.Array, pa.ChunkedArray))
        else pa.array(values, type=pa.string())
    )
    if array.type != pa.string():
        array = pc.cast(array, pa.string())
    if isinstance(array, pa.ChunkedArray):
        return pa.chunked_array([_text_chunk(chunk) for chunk in array.chunks], pa.string())
    return _text_chunk(array)


def _text_chunk(chunk: pa.Array) -> pa.Array:
    """`as_text` of one chunk. Most extract fields need no trimming: when every value starts and
    ends with a printable ASCII character other than space (read off the bytes with numpy), the
    text is kept as it is, without a copy, and only the blanks become null (a validity bitmap over
    the same buffers), where Arrow's trim, compare and select would copy every value. Any other
    chunk, Arrow's way."""
    if len(chunk) and (kept := _untrimmed(chunk)) is not None:
        return kept
    trimmed = pc.utf8_trim_whitespace(chunk)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _untrimmed(chunk: pa.Array) -> pa.Array | None:
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(
        offsets_buffer, dtype=np.int32, count=len(chunk) + 1, offset=chunk.offset * 4
    )
    given = np.diff(offsets) > 0
    if chunk.null_count:
        given &= pc.is_valid(chunk).to_numpy(zero_copy_only=False)
    if given.any():
        data = np.frombuffer(data_buffer, dtype=np.uint8)
        ends = np.concatenate([data[offsets[:-1][given]], data[offsets[1:][given] - 1]])
        if not ((ends > 32) & (ends < 127)).all():  # a space, a control or non-ASCII at an end
            return None
    if given.all():
        return chunk
    return pa.StringArray.from_buffers(
        len(chunk),
        pa.py_buffer(offsets),
        data_buffer,
        pa.py_buffer(np.packbits(given, bitorder="little")),
    )


def invalid(raw: Strings, parsed: Strings) -> np.ndarray:
    """True where a raw value was given but could not be read."""
    given = pc.is_valid(as_text(raw))
    return pc.and_(given, pc.is_null(parsed)).to_numpy(zero_copy_only=False)


def _group(extracted, name: str) -> pa.ChunkedArray:
    """A named group of `extract_regex`'s result, null where the pattern did not match."""
    return pc.if_else(
        pc.is_valid(extracted), pc.struct_field(extracted, name), pa.scalar(None, pa.string())
    )


#: the width of each part of a date format (`sources.DATE_DIRECTIVES`)
_WIDTHS = {"%d": 2, "%m": 2, "%Y": 4, "%H": 2, "%M": 2, "%S": 2, "%b": 3}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _format_parts(fmt: str) -> list[str]:
    return [part for part in re.split(r"(%[dmYHMSb])", fmt) if part]


def parse_datetimes(values: Strings, formats: tuple[str, ...] | list[str]) -> pa.Array:
    """Local date-times written in exactly one of `formats` (first match wins); null otherwise.
    A format is literal text and `sources.DATE_DIRECTIVES` (`%d/%m/%Y %H:%M`, `%d-%b-%Y`).

    The value must have the format's exact shape (`1/1/2013` or trailing text are not read), and
    must be a real moment: the day must exist in its month (31/02/2016 is not 2 March), hours
    0-23, minutes and seconds 0-59. The formats are fixed-width (`%d %m %Y %H %M %S` and
    literals), so the digits are read straight from the bytes with numpy, faster than Arrow's
    strptime, which also needed the day checked again.
    """
    text = as_text(values)
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    seconds = np.zeros(len(text), dtype=np.int64)
    found = np.zeros(len(text), dtype=bool)
    for fmt in formats:
        rows, parsed = _parse_fixed_width(text, fmt, ~found)
        seconds[rows] = parsed
        found[rows] = True
    return pa.array(seconds, type=pa.timestamp("s"), mask=~found)


def _parse_fixed_width(
    text: pa.Array, fmt: str, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, seconds since 1970) of the `wanted` values that are real moments written in `fmt`."""
    parts = _format_parts(fmt)
    width = sum(_WIDTHS.get(part, len(part.encode())) for part in parts)
    fits = (
        pc.fill_null(pc.equal(pc.binary_length(text), width), False).to_numpy(zero_copy_only=False)
        & wanted
    )
    rows = np.flatnonzero(fits)
    if not len(rows):
        return rows, rows.astype(np.int64)
    candidates = text.take(pa.array(rows))  # every value `width` bytes: one row of a matrix each
    first = np.frombuffer(
        candidates.buffers()[1], dtype=np.int32, count=1, offset=candidates.offset * 4
    )[0]
    matrix = np.frombuffer(
        candidates.buffers()[2], dtype=np.uint8, count=len(rows) * width, offset=first
    ).reshape(len(rows), width)
    # column by column (a value's bytes are a row): each field's digits, each literal's byte
    ok = np.ones(len(rows), dtype=bool)
    # each field's values, or its default where the format has no such field
    field: dict[str, int | np.ndarray] = {"%Y": 1970, "%m": 1, "%d": 1, "%H": 0, "%M": 0, "%S": 0}
    at = 0
    for part in parts:
        if part == "%b":
            field["%m"] = _month_numbers(matrix[:, at : at + 3])
            ok &= field["%m"] > 0
            at += 3
        elif part in _WIDTHS:
            number = np.zeros(len(rows), dtype=np.int32)
            for column in range(at, at + _WIDTHS[part]):
                digit = matrix[:, column] - np.uint8(48)  # anything but 0-9 wraps above 9
                ok &= digit <= 9
                number = number * 10 + digit
            field[part] = number
            at += _WIDTHS[part]
        else:
            for byte in part.encode():
                ok &= matrix[:, at] == byte
                at += 1
    year, month, day = (np.asarray(field[part], dtype=np.int32) for part in ("%Y", "%m", "%d"))
    hour, minute, second = (np.asarray(field[part], dtype=np.int32) for part in ("%H", "%M", "%S"))
    ok &= (
        (year >= 1)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= _days_in_month(year, np.clip(month, 1, 12)))
    )
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    seconds = _days_from_civil(year, month, day).astype(np.int64) * 86400 + (
        hour * 3600 + minute * 60 + second
    )
    return rows[ok], seconds[ok]


def _month_numbers(letters: np.ndarray) -> np.ndarray:
    """Each row's three bytes as a month's number (`Dec`, `DEC`, `dec` -> 12), 0 if none."""
    lower = (letters | np.uint8(0x20)).astype(np.int32)  # ASCII letters to lower case
    key = lower[:, 0] << 16 | lower[:, 1] << 8 | lower[:, 2]
    month = np.zeros(len(letters), dtype=np.int32)
    for number, name in enumerate(_MONTHS, start=1):
        month[key == (ord(name[0]) << 16 | ord(name[1]) << 8 | ord(name[2]))] = number
    return month


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month] + (
        leap & (month == 2)
    )


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm), vectorised."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def parse_dates(values: Strings, fmt: str) -> pa.Array:
    """Dates written in `fmt`; null for blank or impossible dates."""
    return parse_datetimes(values, (fmt,))


def _int_text(values: pa.ChunkedArray, width: int = 0) -> pa.ChunkedArray:
    """Digits as a number in text, without leading zeros, left-padded with zeros to `width`."""
    text = pc.cast(pc.cast(values, pa.int64()), pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def by_distinct(values: Strings, work) -> pa.Array:
    """`work` (a vectorised function of text) done once per distinct value and spread back to the
    rows: a column of a few hundred codes over a million rows costs a few hundred regexes, not a
    million. Nulls stay null."""
    encoded = pc.dictionary_encode(values)
    encoded = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
    done = work(encoded.dictionary)
    done = done.combine_chunks() if isinstance(done, pa.ChunkedArray) else done
    return pc.take(done, encoded.indices)


def normalise_ho_class(values: Strings, pattern: str) -> pa.Array:
    """`88/1` and `088/01` -> `088/01`, the form `ho_classes.ho_class_code` writes."""

    def normalise(text):
        found = pc.extract_regex(as_text(text), pattern)
        return pc.binary_join_element_wise(
            _int_text(_group(found, "cls"), CLASS_DIGITS),
            _int_text(_group(found, "sub"), SUBCLASS_DIGITS),
            "/",
        )

    return by_distinct(values, normalise)


def without_pending(values: Strings, pending_values: tuple[str, ...]) -> Strings:
    """The outcome column with each value meaning no outcome yet (`pending_values`: trimmed,
    lower case; `Pending`, `Under investigation`) made blank, as a blank is pending."""
    if not pending_values:
        return values
    lower = pc.utf8_lower(as_text(values))
    pending = pc.is_in(lower, value_set=pa.array(pending_values, pa.string()))
    return pc.if_else(pc.fill_null(pending, False), pa.scalar(None, pa.string()), values)


def parse_outcome(values: Strings, pattern: str) -> pa.Array:
    """The Home Office outcome number (`15`, `01`, `OC01 – Charge/Summons` -> 15, 1, 1).

    Numbers outside the Home Office list come back as null; `invalid` finds them.
    """

    def parse(text):
        number = pc.cast(_group(pc.extract_regex(as_text(text), pattern), "num"), pa.int64())
        in_list = pc.and_(
            pc.greater_equal(number, HO_OUTCOMES.start), pc.less(number, HO_OUTCOMES.stop)
        )
        return pc.if_else(in_list, number, pa.scalar(None, pa.int64()))

    return by_distinct(values, parse)


def normalise_role(values: Strings, role_values: dict[str, str] | None = None) -> pa.Array:
    """A person's canonical role (victim, suspect, witness, other): the value, trimmed and in lower
    case, as `role_values` maps it (keys in lower case), or itself where it is a canonical role
    and `role_values` is empty; any other value is "other"; blank -> null."""
    canonical = dict(role_values) if role_values else {role: role for role in ROLES}

    def to_role(text):
        lower = pc.utf8_lower(pc.utf8_trim_whitespace(as_text(text)))
        known = pc.index_in(lower, value_set=pa.array(list(canonical), pa.string()))
        roles = pc.take(pa.array(list(canonical.values()), pa.string()), known)
        return pc.if_else(
            pc.is_null(lower), pa.scalar(None, pa.string()), pc.fill_null(roles, "other")
        )

    return by_distinct(values, to_role)


def _on_given(text: pa.ChunkedArray, work) -> pa.Array:
    """`work` applied to the values given only (most person rows have no PNC ID, for one), the
    blanks left null."""
    given = pc.is_valid(text)
    if pc.all(given).as_py() is not False:  # all given (or none at all): nothing to leave out
        return work(text)
    done = work(text.filter(given))
    done = done.combine_chunks() if isinstance(done, pa.ChunkedArray) else done
    return pc.replace_with_mask(
        pa.nulls(len(text), done.type),
        given.combine_chunks() if isinstance(given, pa.ChunkedArray) else given,
        done,
    )


#: a PNC ID however a system or a person writes it (after trimming and upper-casing): a two- or
#: four-digit year, the serial with or without its leading zeros, the check letter
PNC_ANY_FORM = r"^(?P<year>\d{2,4})/(?P<serial>\d{1,9})(?P<check>[A-Z])$"
_PNC_ANY_FORM = re.compile(PNC_ANY_FORM, re.ASCII)  # as RE2 reads it: \d is an ASCII digit


def normalise_pnc_id(values: Strings, pattern: str = PNC_ANY_FORM) -> pa.Array:
    """PNC IDs in one form, `YY/SERIALC` with the serial as a plain number: `00/448754A`.

    One system writes `2000/0448754A`, another `00/448754A`; two are the same individual's when the
    two-digit year, the serial as a number and the check letter agree. Hand-keyed stray spaces
    and lower case are forgiven. `pattern`: a system's own form (its source definition's), or
    any form. Null where a value is not a PNC ID.
    """
    return _on_given(as_text(values), lambda text: _normalise_pnc(text, pattern))


def normalise_pnc(value: object) -> str | None:
    """`normalise_pnc_id` for one value written anywhere (a token of a release file): the same
    rule in plain Python. None if it is not a PNC ID."""
    match = _PNC_ANY_FORM.fullmatch(re.sub(r"[\t\n\f\r ]+", "", str(value).strip()).upper())
    if not match:
        return None
    return f"{match['year'][-2:]}/{int(match['serial'])}{match['check']}"


def without_whitespace(text):
    """Text with its whitespace (RE2's \\s: tab, line feed, form feed, carriage return, space)
    taken out. Hand-keyed codes rarely have any: when no chunk holds one of those bytes (numpy over
    the bytes), the text is given back as it is rather than rewritten by a regex."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if (
            data is not None
            and len(chunk)
            and np.isin(np.frombuffer(data, dtype=np.uint8), _WHITESPACE).any()
        ):
            return pc.replace_substring_regex(text, r"\s+", "")
    return text


_WHITESPACE = np.array([9, 10, 12, 13, 32], dtype=np.uint8)


def _normalise_pnc(text, pattern: str):
    cleaned = pc.utf8_upper(without_whitespace(text))
    found = pc.extract_regex(cleaned, pattern)
    year = pc.utf8_slice_codeunits(_group(found, "year"), -2)
    serial = _int_text(_group(found, "serial"))
    return pc.binary_join_element_wise(
        year, pc.binary_join_element_wise(serial, _group(found, "check"), ""), "/"
    )


def normalise_cjs_code(values: Strings) -> pa.ChunkedArray:
    """CJS offence codes upper-case without spaces (`sx03225a ` -> `SX03225A`); blank -> null."""
    return as_text(pc.utf8_upper(without_whitespace(as_text(values))))


def local_day_bounds(day_from, day_to) -> tuple[np.datetime64, np.datetime64]:
    """Whole local days, inclusive: [from 00:00, to + 1 day 00:00)."""
    start = np.datetime64(datetime(day_from.year, day_from.month, day_from.day), "s")
    end = np.datetime64(datetime(day_to.year, day_to.month, day_to.day), "s") + np.timedelta64(
        1, "D"
    )
    return start, end
