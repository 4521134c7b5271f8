"""`foi-briefing profile draft DIR`: a draft force profile guessed from an export never seen.

Every CSV file of the folder is looked at (its first `DRAFT_ROWS` records): its encoding, its
delimiter and quote character, its headers and the shapes of its values. Files are grouped into
systems by the start of their names (`RMS_*.csv`, `niche_*.csv`), each group's files matched to
the crimes, people and charges tables, and each column to a canonical field, by its header and
its values. The draft says why for each guess, as a YAML comment, and writes `TODO` where it
cannot tell (what each status value means, which system took crimes over from which, a file or a
column it could not place): `profile check` refuses a draft until every `TODO` is answered.

No name, date of birth or free text is written into the draft: such columns are described by how
many values they hold and how they are written, never by a value. Vocabularies (statuses, roles,
outcomes) and code forms (classes) are shown as they are: that is what a `TODO` is answered from.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import textwrap
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml

from helpers.errors import ExtractError, ProfileError
from helpers.extracts.codes import HO_OUTCOMES, PNC_ANY_FORM, parse_datetimes
from helpers.extracts.ho_classes import CLASS_DIGITS, SUBCLASS_DIGITS
from helpers.extracts.profile import TODO, unanswered  # noqa: F401 - unanswered: its callers
from helpers.extracts.sources import (
    CANONICAL_FIELDS,
    PERSONAL_FIELDS,
    REQUIRED_FIELDS,
    single_byte_table,
)

T = TypeVar("T")

#: the records of each file read (like `profile check`'s first rows: a guess needs no more)
DRAFT_ROWS = 5000
#: at most this much of a file's start is read for them
FIRST_BYTES = 16 * 1024 * 1024
#: what the draft writes where the user must answer (the schema refuses it, or `unanswered` does)
#: a file the draft looks at
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
#: a form of values (a date format, a code's shape) is proposed if it reads this share of them:
#: rarer ones are a run's to set aside, not the profile's to accept
MIN_SHARE = 0.01
TABLES = ("crimes", "people", "charges")
#: the most digits of a Home Office outcome number, and of a PNC ID's serial (written without
#: its leading zeros by some systems)
OUTCOME_DIGITS = len(str(HO_OUTCOMES.stop - 1))
PNC_SERIAL_DIGITS = 7
DELIMITERS = (",", ";", "\t", "|")
QUOTES = ('"', "'")

# ---- reading a file's first records


@dataclass
class Sample:
    """A file's first records as text, and how they were read."""

    name: str
    encoding: str | None  # None: not one the reader takes (a TODO)
    encoding_evidence: str
    non_ascii: Counter
    delimiter: str
    quote_char: str
    quoted: bool  # a field was seen quoted (else the quote character is the default's)
    layout_evidence: str
    header: list[str]
    records: list[list[str]]
    whole: bool  # every record of the file was read
    workbook: bool = False  # a spreadsheet export: no encoding, delimiter or quote
    sheet: str | None = None  # a workbook's: the sheet read
    sheets: tuple[str, ...] = ()  # a workbook's: all its sheets

    def column(self, header: str) -> list[str]:
        at = self.header.index(header)
        return [record[at].strip() if at < len(record) else "" for record in self.records]


def read_sample(path: Path, rows: int = DRAFT_ROWS) -> Sample:
    """The header and first `rows` records of a file, with its guessed encoding and layout."""
    with open(path, "rb") as given:
        data = given.read(FIRST_BYTES + 1)
    whole = len(data) <= FIRST_BYTES
    if not whole:  # up to the last whole line read
        data = data[: data.rfind(b"\n", 0, FIRST_BYTES) + 1]
    encoding, evidence, text = guess_encoding(data)
    text = text.removeprefix("\ufeff")
    delimiter, quote, quoted, layout = guess_layout(text, rows)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote)
    header = [name.strip() for name in next(reader, [])]
    records: list[list[str]] = []
    for record in reader:
        if len(records) == rows:
            whole = False
            break
        if any(value.strip() for value in record):
            records.append(record)
    if not whole and len(records) < rows and records:
        records.pop()  # the last record read may be cut at FIRST_BYTES
    read = "\n".join(text.split("\n", reader.line_num)[: reader.line_num])  # the records' lines
    non_ascii = Counter(re.findall(r"[^\x00-\x7f]", read))
    return Sample(
        path.name,
        encoding,
        evidence,
        non_ascii,
        delimiter,
        quote,
        quoted,
        layout,
        header,
        records,
        whole,
    )


def read_workbook_sample(path: Path, rows: int = DRAFT_ROWS) -> Sample:
    """The header and first `rows` records of a spreadsheet export's sheet with the most named
    columns (the first of those: an export's notes come before its records, in a column or
    two), every cell as the text the loader reads (`extracts.sheets`)."""
    from helpers.extracts.sheets import read_sheet, sheet_header, sheet_headers

    headers = sheet_headers(path)
    names = list(headers)
    chosen = max(names, key=lambda name: sum(1 for cell in headers[name] if cell), default=None)
    header = headers[chosen] if chosen is not None else []
    if not any(header):  # every sheet empty: the loader's own error
        header = sheet_header(path, None)
    named = [name for name in dict.fromkeys(header) if name]
    sheet = read_sheet(path, chosen, named)
    count = len(sheet.rows)
    records = [
        [sheet.columns[name][at] if name else "" for name in header]
        for at in range(min(count, rows))
    ]
    why = "a workbook, read with python-calamine: encoding, delimiter and quote do not apply"
    return Sample(
        path.name,
        "utf-8",
        why,
        Counter(),
        ",",
        '"',
        False,
        why,
        header,
        records,
        count <= rows,
        True,
        chosen,
        tuple(names),
    )


def read_any_sample(path: Path, rows: int = DRAFT_ROWS) -> Sample:
    """A CSV's or a workbook's first records."""
    from helpers.extracts.sheets import is_sheet

    return read_workbook_sample(path, rows) if is_sheet(path.name) else read_sample(path, rows)


#: a year in a file's name (`crimes_2016.csv`): several such files are one table, a year each
YEAR_IN_NAME = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def join_year_files(samples: dict[str, Sample]) -> dict[str, Sample]:
    """Files whose names differ only by a year, with the same header, as one sample named by a
    pattern (`crimes_*.csv`; `crimes_[0-9][0-9][0-9][0-9].csv` if `*` would match another file
    of the folder), as the profile names several files read as one table."""
    from fnmatch import fnmatchcase

    groups: dict[str, list[str]] = {}
    for name in samples:
        if len(YEAR_IN_NAME.findall(name)) == 1:
            groups.setdefault(YEAR_IN_NAME.sub("*", name), []).append(name)
    joined = dict(samples)
    for pattern, names in groups.items():
        parts = [samples[name] for name in sorted(names)]
        if len(parts) < 2 or len({tuple(part.header) for part in parts}) > 1:
            continue
        if any(fnmatchcase(other, pattern) for other in samples if other not in names):
            pattern = YEAR_IN_NAME.sub("[0-9][0-9][0-9][0-9]", parts[0].name)
        first = parts[0]
        why = (
            f"{len(parts)} files, one a year ({', '.join(part.name for part in parts)}), with "
            "the same header: read as one table"
        )
        encodings = {part.encoding for part in parts}
        for name in names:
            del joined[name]
        joined[pattern] = Sample(
            pattern,
            first.encoding if len(encodings) == 1 else None,
            f"{first.encoding_evidence} ({why})",
            sum((part.non_ascii for part in parts), Counter()),
            first.delimiter,
            first.quote_char,
            any(part.quoted for part in parts),
            f"{first.layout_evidence} ({why})",
            first.header,
            [record for part in parts for record in part.records],
            all(part.whole for part in parts),
            first.workbook,
            first.sheet,
            first.sheets,
        )
    return joined


def guess_encoding(data: bytes) -> tuple[str | None, str, str]:
    """(encoding, why, the text): UTF-8 if the bytes are UTF-8 (a byte-order mark, or text other
    encodings rarely happen to make), else the 8-bit encoding charset-normalizer finds least
    messy, Windows-1252 when it reads the bytes as cleanly; UTF-16 by its byte-order mark or
    its zero bytes (`utf16_kind`); None if no encoding the reader takes reads it."""
    wide = utf16_kind(data)
    if wide is not None:
        name, found = wide
        text = data.decode(name, errors="replace")  # cut at FIRST_BYTES: maybe mid-character
        why = (
            f"{found}: read as {name}, converted to UTF-8 on the way in (a UTF-8 export, where "
            "the system offers one, is read faster)"
        )
        return name, why, text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = error.start
        line = data.count(b"\n", 0, bad) + 1
        not_utf8 = f"not UTF-8 (byte 0x{data[bad]:02X} on line {line})"
    else:
        if data.startswith(codecs.BOM_UTF8):
            return "utf-8", "UTF-8 (it starts with UTF-8's byte-order mark)", text
        if text.isascii():
            return "utf-8", "ASCII only (UTF-8 reads it, as would any 8-bit encoding)", text
        return "utf-8", "UTF-8 (its bytes above 127 are all UTF-8 characters)", text
    encoding, why = eight_bit_encoding(data, bad)
    if encoding is None:
        return None, f"{not_utf8}; {why}", data.decode("latin-1")
    return encoding, f"{not_utf8}; {why}", data.decode(encoding)


def utf16_kind(data: bytes) -> tuple[str, str] | None:
    """(`utf-16` or its byte order, why) for UTF-16 text: a byte-order mark, or without one a
    zero byte in most of the first character pairs (ASCII text written two bytes a character),
    the zero second (little-endian) or first (big-endian)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16 (a byte-order mark)"
    head = data[:4096] if len(data[:4096]) % 2 == 0 else data[:4095]
    if len(head) < 4:
        return None
    pairs = len(head) // 2
    for encoding, at in (("utf-16-le", 1), ("utf-16-be", 0)):
        zeros = head[at::2].count(0)
        if zeros >= 0.9 * pairs and head[1 - at :: 2].count(0) == 0:
            order = "little-endian" if at else "big-endian"
            return (
                encoding,
                f"UTF-16 {order} without a byte-order mark ({zeros:,} of its first "
                f"{pairs:,} characters have a zero byte)",
            )
    return None


#: Windows' Western European encoding: what English-language Windows exports write
WINDOWS = "cp1252"
#: how much messier than the library's best Windows-1252 may read a text and still be chosen
MESS_ALLOWED = 0.01


def eight_bit_encoding(data: bytes, at: int = 0) -> tuple[str | None, str]:
    """The 8-bit encoding (one the reader takes) of bytes not UTF-8 from `at` on, and why.

    charset-normalizer ranks code pages by how messy the text they make is; on a short English
    text several read as cleanly (Central European cp1250 reads a pound sign as Ł), so
    Windows-1252 is chosen when it is as clean as the best."""
    import charset_normalizer  # only this command

    sample = data[max(0, at - 500_000) : at + 500_000]  # a MB around the first byte not UTF-8
    ranked = [
        (codecs.lookup(match.encoding).name, match.chaos)
        for match in charset_normalizer.from_bytes(sample)
    ]
    usable = [(name, mess) for name, mess in ranked if single_byte_table(name) is not None]
    windows = charset_normalizer.from_bytes(sample, cp_isolation=[WINDOWS]).best()
    if windows is not None and (not usable or windows.chaos <= usable[0][1] + MESS_ALLOWED):
        others = ", ".join(name for name, _ in usable[:3] if name != WINDOWS)
        return WINDOWS, (
            f"charset-normalizer reads it as cleanly as Windows-1252 (cp1252), chosen as what "
            f"Windows writes{f' (also clean: {others})' if others else ''}"
        )
    if usable:
        return usable[0][0], f"charset-normalizer's least messy 8-bit encoding: {usable[0][0]}"
    return None, "charset-normalizer finds no 8-bit encoding the reader takes"


def guess_layout(text: str, rows: int = DRAFT_ROWS) -> tuple[str, str, bool, str]:
    """(delimiter, quote character, whether a field was seen quoted, why) of the first `rows`
    records: of every pair tried, the one giving the most records with the header's number of
    fields (more than one); a tie goes to the pair whose quote character opens more fields, then
    to the first tried (a comma, a double quote)."""
    head = text[: 256 * 1024]
    head = head[: head.rfind("\n") + 1] or head
    scored: list[tuple] = []
    for delimiter in DELIMITERS:
        for quote in QUOTES:
            reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, quotechar=quote)
            records = [record for _, record in zip(range(rows + 1), reader, strict=False)]
            if not records or len(records[0]) < 2:
                continue
            width = len(records[0])
            fitting = sum(len(record) == width for record in records[1:])
            read = "\n".join(head.split("\n")[: reader.line_num])  # the records' lines
            opened = len(re.findall(f"(?:^|{re.escape(delimiter)}){re.escape(quote)}", read, re.M))
            scored.append(
                (fitting, opened, -len(scored), delimiter, quote, width, len(records) - 1)
            )
    if not scored:
        return ",", '"', False, "one column only: no delimiter found (a comma assumed)"
    fitting, opened, _, delimiter, quote, width, total = max(scored)
    name = {",": "a comma", ";": "a semicolon", "\t": "a tab", "|": "a bar"}[delimiter]
    quoted = (
        f"{plural(opened, 'field')} quoted with {quote}"
        if opened
        else f"no field quoted ({quote} assumed)"
    )
    ends = "CRLF" if "\r\n" in head else "LF"
    return (
        delimiter,
        quote,
        opened > 0,
        (
            f"{fitting:,} of {total:,} records have the header's {width} fields separated by "
            f"{name}; {quoted}; {ends} line ends"
        ),
    )


# ---- the shapes of values


def shape(value: str) -> str:
    """A value as its form: digits 9, letters A, anything else as it is (`CM/13/1` -> AA/99/9)."""
    return re.sub(r"[^\W\d_]", "A", re.sub(r"\d", "9", value))


def date_formats(values: list[str]) -> list[tuple[str, int]]:
    """The date formats the reader knows that read these values, each with how many it reads
    (the most first, each counting what the ones before it did not read), each reading at least
    `MIN_SHARE` of them."""
    import numpy as np  # with the reader's own parsing: only this command
    import pyarrow as pa

    given = [value for value in values if value]
    if not given:
        return []
    widths = {len(value.encode()) for value in given}
    candidates = [fmt for fmt in CANDIDATE_FORMATS if _width(fmt) in widths]
    array = pa.array(given, type=pa.string())
    read = {
        fmt: parse_datetimes(array, [fmt]).is_valid().to_numpy(zero_copy_only=False)
        for fmt in candidates
    }
    found: list[tuple[str, int]] = []
    done = np.zeros(len(given), dtype=bool)
    while read:
        # the format reading most of what is still unread (the first tried of equals)
        fmt = max(read, key=lambda f: (int((read[f] & ~done).sum()), -candidates.index(f)))
        hits = read.pop(fmt)
        new = int((hits & ~done).sum())
        if new < max(1, MIN_SHARE * len(given)):
            break
        found.append((fmt, new))
        done |= hits
    return found


def _width(fmt: str) -> int:
    widths = {"%d": 2, "%m": 2, "%Y": 4, "%H": 2, "%M": 2, "%S": 2, "%b": 3}
    return sum(
        widths.get(part, len(part.encode())) for part in re.split(r"(%[dmYHMSb])", fmt) if part
    )


def _candidate_formats() -> list[str]:
    """Every date format tried: day first before month first (a UK force's), each order with the
    usual separators, with and without a time."""
    dates = []
    for separator in ("/", "-", ".", " ", ""):
        for order in (
            ("%d", "%m", "%Y"),
            ("%Y", "%m", "%d"),
            ("%d", "%b", "%Y"),
            ("%m", "%d", "%Y"),
        ):
            dates.append(separator.join(order))
    times = ("", " %H:%M", " %H:%M:%S", "T%H:%M:%S", "T%H:%M", " %H%M")
    return [date + time for date in dates for time in times]


CANDIDATE_FORMATS = _candidate_formats()


def _lengths(lengths: Iterable[int], most: int | None = None) -> str:
    """A run of digits' repeat: `{3}` for one length, `{2,4}` for lengths that vary. A number
    of at most `most` digits is written without its leading zeros if its lengths vary or are
    all shorter than that: then `{1,most}`."""
    seen = sorted(set(lengths))
    if most is not None:
        return f"{{{most}}}" if seen == [most] else f"{{1,{max([most, *seen])}}}"
    return f"{{{seen[0]}}}" if len(seen) == 1 else f"{{{seen[0]},{seen[-1]}}}"


def common(values: Iterable[T], share: float = MIN_SHARE) -> list[T]:
    """The values (forms) that make up at least `share` of all, the most common first."""
    counts = Counter(values)
    total = sum(counts.values())
    return [value for value, count in counts.most_common() if count >= share * total]


#: a separator of classes that at least this share of them is written with is one of theirs
SEPARATOR_SHARE = 0.05


def ho_class_pattern(values: list[str]) -> tuple[str | None, str]:
    """A pattern with groups `cls` and `sub` for the classes written, and why."""
    given = [value for value in values if value]
    if not given:
        return None, "no value seen"
    parts = [re.fullmatch(r"(\d+)(\D+)(\d+)", value) for value in given]
    separators = common((match.group(2) for match in parts if match), SEPARATOR_SHARE)
    if separators:
        # one separator, or several of one character each (a system that writes `8.6` and
        # `008/06` alike): any of them
        if len(separators) > 1 and all(len(s) == 1 for s in separators):
            between = "[" + "".join(re.escape(s) for s in separators) + "]"
        else:
            separators, between = separators[:1], re.escape(separators[0])
        fitting = [m for m in parts if m and m.group(2) in separators]
        cls = _lengths((len(m.group(1)) for m in fitting), CLASS_DIGITS)
        sub = _lengths((len(m.group(3)) for m in fitting), SUBCLASS_DIGITS)
        pattern = rf"^(?P<cls>\d{cls})" + between + rf"(?P<sub>\d{sub})$"
    elif common(len(value) for value in given if value.isdigit()) == [5]:
        pattern = r"^(?P<cls>\d{3})(?P<sub>\d{2})$"
    else:
        return None, "no form of a class (digits, a separator, digits) seen: " + _shapes(given)
    read = sum(bool(re.search(pattern, value)) for value in given)
    return pattern, f"{read:,} of {len(given):,} values are classes written {_shapes(given, 2)}"


def outcome_pattern(values: list[str]) -> tuple[str | None, str]:
    """A pattern with the group `num` for the outcomes written: a bare number, or a number after
    a fixed prefix and before a label (`OC01 – Charge/Summons`)."""
    given = [value for value in values if value]
    if not given:
        return None, "no value seen"
    parts = [re.fullmatch(r"(\D*?)(\d+)(.*)", value, re.S) for value in given]
    prefixes = common((m.group(1) for m in parts if m), 0.5)
    if not prefixes:
        return None, "no number in most values: " + _shapes(given)
    prefix = prefixes[0]
    fitting = [m for m in parts if m and m.group(1) == prefix]
    digits = _lengths((len(m.group(2)) for m in fitting), OUTCOME_DIGITS)
    rests = {m.group(3)[:1] for m in fitting}
    if rests == {""}:
        end = "$"
    elif all(not rest or not (rest.isalnum() or rest == "_") for rest in rests):
        end = r"\b"  # a label follows: the number is what counts
    else:
        end = ""
    pattern = "^" + re.escape(prefix) + rf"(?P<num>\d{digits})" + end
    read = sum(bool(re.search(pattern, value)) for value in given)
    what = "numbers" if not prefix and end == "$" else f"{prefix!r} and a number"
    return pattern, f"{read:,} of {len(given):,} values given are {what}"


def pnc_pattern(values: list[str]) -> tuple[str, str]:
    """A pattern with groups `year`, `serial` and `check` for the PNC IDs written (after the
    loader's trimming and upper-casing), or any form of a PNC ID if none is seen."""
    given = [re.sub(r"\s+", "", value).upper() for value in values if value]
    parts = [re.fullmatch(r"(\d+)(\D)(\d+)([A-Z])", value) for value in given]
    separators = common(m.group(2) for m in parts if m)
    if not separators:
        return PNC_ANY_FORM, "no PNC ID seen: any form of one"
    separator = separators[0]
    fitting = [m for m in parts if m and m.group(2) == separator]
    years = _lengths(common(len(m.group(1)) for m in fitting))
    serial = _lengths((len(m.group(3)) for m in fitting), PNC_SERIAL_DIGITS)
    pattern = (
        rf"^(?P<year>\d{years})"
        + re.escape(separator)
        + rf"(?P<serial>\d{serial})(?P<check>[A-Z])$"
    )
    read = sum(bool(re.search(pattern, value)) for value in given)
    return pattern, (
        f"{read:,} of {len(given):,} values given are PNC IDs (after trimming and upper-casing)"
    )


def identifier_form(values: list[str]) -> tuple[str | None, str]:
    """A regular expression of an identifier's whole form: digits as `\\d{n}`, letters kept as
    they are where every value has the same (else `[A-Z]{n}`), other characters literally; more
    than one form joined (`(?:...|...)`)."""
    given = [value for value in values if value]
    if not given:
        return None, "no value seen"
    tokens = {value: re.findall(r"\d+|[^\W\d_]+|.", value) for value in given}
    structure = {
        value: tuple("9" if t[0].isdigit() else "A" if t[0].isalpha() else t for t in parts)
        for value, parts in tokens.items()
    }
    forms = []
    for kept in common(structure[value] for value in given)[:5]:
        members = [tokens[value] for value in given if structure[value] == kept]
        regex = ""
        for at, kind in enumerate(kept):
            seen = [member[at] for member in members]
            if kind == "9":
                regex += r"\d" + _lengths(len(s) for s in seen)
            elif kind == "A":
                letters = sorted(set(seen))
                if len(letters) == 1:
                    regex += re.escape(letters[0])
                elif len(letters) <= 5:  # a few prefixes (PER, PERD): each as it is
                    regex += "(?:" + "|".join(map(re.escape, letters)) + ")"
                else:
                    regex += "[A-Za-z]" + _lengths(len(s) for s in seen)
            else:
                regex += re.escape(kind)
        forms.append(regex)
    pattern = forms[0] if len(forms) == 1 else "(?:" + "|".join(forms) + ")"
    read = sum(bool(re.fullmatch(pattern, value)) for value in given)
    return pattern, f"{read:,} of {len(given):,} values have this form"


def _shapes(values: list[str], top: int = 3) -> str:
    """The most common forms of values, as shapes (`99/99`), never the values."""
    counts: Counter = Counter()
    for value, n in Counter(value for value in values if value).items():
        counts[shape(value)[:20]] += n  # each distinct value's shape once
    return ", ".join(f"{form} ({count:,})" for form, count in counts.most_common(top))


def vocabulary(values: list[str], top: int = 12) -> str:
    """A vocabulary's values with their counts (statuses, roles, outcomes: no one's data)."""
    counts = Counter(value for value in values if value)
    shown = ", ".join(f"{value} ({count:,})" for value, count in counts.most_common(top))
    more = len(counts) - top
    blank = sum(1 for value in values if not value)
    return (
        shown
        + (f", and {more:,} more" if more > 0 else "")
        + (f"; {blank:,} blank" if blank else "")
    )


# ---- which column is which field


#: words of a header that mean the same (`CRIME NO`, `Crime Reference`, `Crime ID`)
SAME_WORDS = {
    word: "ref" for word in ("no", "num", "number", "nbr", "ref", "reference", "id", "urn")
}
#: words marking a column of the system crimes were taken over from
LEGACY_WORDS = frozenset({"legacy", "old", "previous", "former", "migrated", "prior"})

#: the headers each field is usually written under (compared word for word, `SAME_WORDS` alike)
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "crime_ref": (
        "crime no",
        "crime reference",
        "occurrence no",
        "incident no",
        "crime",
        "reference",
    ),
    "legacy_ref": (
        "legacy crime no",
        "legacy ref",
        "old crime no",
        "previous crime no",
        "migrated crime ref",
    ),
    "recorded_at": (
        "date recorded",
        "recorded date",
        "recorded",
        "date reported",
        "reported",
        "date created",
        "recorded on",
    ),
    "original_recorded_at": (
        "original recorded date",
        "original date recorded",
        "first recorded",
        "date first recorded",
        "legacy recorded date",
    ),
    "committed_at": (
        "date committed",
        "committed date",
        "committed",
        "offence date",
        "date of offence",
        "committed on",
    ),
    "ho_class": (
        "ho class",
        "home office class",
        "hoc",
        "hocr",
        "ho code",
        "home office code",
        "classification",
        "crime class",
        "offence class",
    ),
    "ho_class_title": (
        "offence description",
        "ho class description",
        "class description",
        "offence title",
        "class title",
        "classification description",
    ),
    "status": ("crime status", "status", "state", "crime state", "recording status"),
    "outcome": (
        "ho outcome",
        "outcome",
        "outcome type",
        "home office outcome",
        "disposal",
        "clearance",
    ),
    "circumstances": (
        "circumstances",
        "summary",
        "mo",
        "modus operandi",
        "details",
        "narrative",
        "brief",
        "description",
    ),
    "person_ref": ("nominal no", "person id", "person no", "individual id", "nominal", "person"),
    "legacy_person_ref": (
        "legacy nominal no",
        "legacy person id",
        "old nominal no",
        "previous person id",
    ),
    "pnc_id": ("pnc id", "pnc", "pnc number", "pncid", "cro pnc"),
    "role": ("role", "involvement", "part played", "involvement type", "role type", "person role"),
    "surname": ("surname", "last name", "family name", "lastname"),
    "forenames": (
        "forenames",
        "forename",
        "first name",
        "given names",
        "given name",
        "firstname",
        "first names",
    ),
    "date_of_birth": ("dob", "date of birth", "birth date", "born"),
    "charge_date": ("charge date", "charged", "date charged", "charged on"),
    "cjs_code": ("cjs code", "cjs offence code", "offence code", "cjs", "charge code"),
    "charge_ref": (
        "charge no",
        "charge number",
        "charge seq",
        "charge sequence",
        "charge id",
        "charge ref",
    ),
}
#: words in a file's name that say which table it is
TABLE_WORDS = {
    "crimes": ("crime", "occurrence", "offence", "incident"),
    "people": ("nominal", "person", "people", "individual", "involved", "involvement"),
    "charges": ("charge",),
}


#: words too small to mean anything in a header
SMALL_WORDS = frozenset({"of", "the", "a", "on", "by"})
#: words many headers share: alone in common they do not make two headers alike (`Committed
#: Date` is not `Date Recorded`)
GENERIC_WORDS = frozenset({"date", "ref", "code", "type", "time", "dt"})


def words(header: str) -> frozenset[str]:
    """A header's words, lower-case, without a plural's s, same-meaning words alike."""
    found = set()
    for word in re.findall(r"[a-z0-9]+", header.lower()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word not in SMALL_WORDS:
            found.add(SAME_WORDS.get(word, word))
    return frozenset(found)


def name_score(field: str, header: str) -> float:
    """How well a header names a field: 1 if it has the words of a usual header of the field,
    else the share of its words and the nearest usual header's that they have in common (a
    generic word such as date not counted in common)."""
    given = words(header)
    if not given:
        return 0.0
    best = 0.0
    for usual in FIELD_NAMES[field]:
        known = words(usual)
        common_words = given & known
        best = max(
            best,
            1.0 if given == known else len(common_words - GENERIC_WORDS) / len(given | known),
        )
    if field.startswith("legacy") and not given & LEGACY_WORDS:
        return 0.0  # a legacy column says so
    if not field.startswith(("legacy", "original")) and given & (LEGACY_WORDS | {"original"}):
        best /= 2
    return best


@dataclass
class Column:
    """One column of a file's first records, and what its values look like (worked out once)."""

    header: str
    values: list[str]
    _formats: list[tuple[str, int]] | None = None
    _cache: dict = field(default_factory=dict)
    #: why the column was placed by its values (its header said nothing), if it was
    evidence: str | None = None

    @property
    def given(self) -> list[str]:
        if "given" not in self._cache:
            self._cache["given"] = [value for value in self.values if value]
        return self._cache["given"]

    @property
    def formats(self) -> list[tuple[str, int]]:
        if self._formats is None:
            self._formats = date_formats(self.values)
        return self._formats

    def share(self, test) -> float:
        """The share of the values given that pass `test` (each distinct value tested once)."""
        if "counts" not in self._cache:
            self._cache["counts"] = Counter(self.given)
        counts = self._cache["counts"]
        total = len(self.given)
        return sum(n for value, n in counts.items() if test(value)) / total if total else 0.0

    @property
    def filled(self) -> float:
        """The share of records with a value."""
        return len(self.given) / len(self.values) if self.values else 0.0

    @property
    def distinct(self) -> int:
        if "distinct" not in self._cache:
            self._cache["distinct"] = len(set(self.given))
        return self._cache["distinct"]

    def moments(self) -> list:
        """Each value read with the column's date formats (None where none reads it)."""
        if "moments" not in self._cache:
            import pyarrow as pa

            formats = [fmt for fmt, _ in self.formats]
            array = pa.array(self.values, type=pa.string())
            read = parse_datetimes(array, formats).to_pylist() if formats else None
            self._cache["moments"] = read or [None] * len(self.values)
        return self._cache["moments"]

    def fits(self, kind: str) -> bool:
        """Whether the values look like a field of this kind."""
        if kind not in self._cache:
            self._cache[kind] = _FITS[kind](self)
        return self._cache[kind]


def _dates(column: Column) -> bool:
    return bool(column.given) and sum(n for _, n in column.formats) >= 0.9 * len(column.given)


def _references(column: Column) -> bool:
    return (
        column.share(lambda v: len(v) <= 30 and " " not in v and any(c.isdigit() for c in v)) >= 0.9
    )


def _few(limit: int):
    return lambda column: bool(column.given) and len(set(column.given)) <= limit


def _ho_classes(column: Column) -> bool:
    pattern, _ = ho_class_pattern(column.values)
    return pattern is not None and column.share(lambda v: bool(re.search(pattern, v))) >= 0.9


def _outcomes(column: Column) -> bool:
    if not column.given:
        return True  # no outcome yet in the records read
    pattern, _ = outcome_pattern(column.values)

    def listed(value: str) -> bool:  # a Home Office outcome's number, not a year or a day
        found = re.search(pattern, value) if pattern else None
        return bool(found) and int(found["num"]) in HO_OUTCOMES  # type: ignore[index]

    return column.share(listed) >= 0.5


def _pnc_ids(column: Column) -> bool:
    return (
        not column.given
        or column.share(
            lambda v: re.fullmatch(PNC_ANY_FORM, re.sub(r"\s+", "", v).upper()) is not None
        )
        >= 0.8
    )


def _names(column: Column) -> bool:
    return (
        column.share(lambda v: re.fullmatch(r"[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?", v) is not None)
        >= 0.9
    )


def _titles(column: Column) -> bool:
    return column.share(lambda v: len(v) <= 200 and any(c.isalpha() for c in v)) >= 0.9


def _free_text(column: Column) -> bool:
    given = column.given
    return (
        bool(given)
        and sum(map(len, given)) / len(given) >= 15
        and column.share(lambda v: " " in v) >= 0.3
    )


def _codes(column: Column) -> bool:
    return (
        column.share(lambda v: re.fullmatch(r"[A-Za-z0-9]{3,12}", v.replace(" ", "")) is not None)
        >= 0.9
    )


_FITS = {
    "reference": _references,
    "dates": _dates,
    "vocabulary": _few(50),
    "ho_class": _ho_classes,
    "outcome": _outcomes,
    "pnc": _pnc_ids,
    "names": _names,
    "titles": _titles,
    "text": _free_text,
    "codes": _codes,
    # a charge's own number (`1`, `CH000123`), placed by its header alone: not a wording
    "number": lambda column: (
        column.share(lambda v: re.fullmatch(r"[\w/-]{1,20}", v) is not None) >= 0.9
    ),
}
#: the kind of values each field holds
FIELD_KINDS = {
    "crime_ref": "reference",
    "legacy_ref": "reference",
    "person_ref": "reference",
    "legacy_person_ref": "reference",
    "recorded_at": "dates",
    "original_recorded_at": "dates",
    "committed_at": "dates",
    "charge_date": "dates",
    "date_of_birth": "dates",
    "ho_class": "ho_class",
    "ho_class_title": "titles",
    "status": "vocabulary",
    "role": "vocabulary",
    "outcome": "outcome",
    "pnc_id": "pnc",
    "surname": "names",
    "forenames": "names",
    "circumstances": "text",
    "cjs_code": "codes",
    "charge_ref": "number",
}
#: a header must name its field at least this well (a third of its words)
MIN_NAME_SCORE = 0.3
#: fields placed only by a header that is one of their usual names, word for word: a charge's own
#: number, which a column such as `Charge Status` would otherwise half-name (a wrong `charge_ref`
#: takes second counts for rows exported twice)
NAMED_EXACTLY = frozenset({"charge_ref"})


def map_columns(columns: list[Column], table: str) -> dict[str, tuple[Column, float]]:
    """Each field of `table` -> the column that holds it and how sure (the header's name score,
    if its values fit the field), best first, each column once."""
    pairs = sorted(
        (
            (name_score(field_name, column.header), -position, field_name, column)
            for field_name in sorted(CANONICAL_FIELDS[table])  # type: ignore[index]
            for position, column in enumerate(columns)
        ),
        key=lambda pair: (pair[0], pair[1]),
        reverse=True,
    )
    chosen: dict[str, tuple[Column, float]] = {}
    used: set[str] = set()
    for score, _, field_name, column in pairs:
        if score < MIN_NAME_SCORE or field_name in chosen or column.header in used:
            continue
        if field_name in NAMED_EXACTLY and score < 1.0:
            continue
        if column.fits(FIELD_KINDS[field_name]):
            chosen[field_name] = (column, score)
            used.add(column.header)
    return place_by_values(columns, table, chosen)


def table_score(sample: Sample, columns: list[Column], table: str) -> float:
    """How well a file fits a table: its required fields found (each by how well it is named,
    or `VALUE_SCORE` if by its values), the values only this table holds (`TABLE_TELLS`), and a
    word of the table in the file's name."""
    found = map_columns(columns, table)
    required = REQUIRED_FIELDS[table]  # type: ignore[index]
    score = sum(found[name][1] for name in required if name in found) / len(required)
    tells = sum(0.2 for name in TABLE_TELLS[table] if name in found)
    return score + tells + 0.5 * named_table(sample.name, table)


# ---- placing a column by its values, where no header names it

#: how sure a field placed by its values is (a header naming it is 0.3 to 1)
VALUE_SCORE = 0.6
#: fields whose values only one table holds: a file with them is likely that table
TABLE_TELLS = {
    "crimes": ("ho_class", "status", "circumstances"),
    "people": ("role", "pnc_id"),
    "charges": ("cjs_code",),
}
#: words of a role column's values (`Victim`, `Injured Party`, `Offender`)
ROLE_WORDS = frozenset(
    "victim suspect witness offender complainant informant injured party accused defendant "
    "arrested reporting aggrieved subject".split()
)
#: the order a table's fields are placed by their values: the surest kinds first, so that a
#: reference is looked for among the columns no other kind took
VALUE_ORDER = {
    "crimes": (
        "ho_class",
        "ho_class_title",
        "outcome",
        "status",
        "recorded_at",
        "committed_at",
        "original_recorded_at",
        "circumstances",
        "crime_ref",
        "legacy_ref",
    ),
    "people": (
        "pnc_id",
        "role",
        "date_of_birth",
        "crime_ref",
        "person_ref",
        "legacy_person_ref",
        "surname",
        "forenames",
    ),
    "charges": ("charge_date", "cjs_code", "crime_ref", "person_ref"),
}


def place_by_values(
    columns: list[Column], table: str, chosen: dict[str, tuple[Column, float]]
) -> dict[str, tuple[Column, float]]:
    """The fields no header named, placed by their columns' values among the columns left (each
    with its evidence, `Column.evidence`); a field no column's values fit stays unplaced."""
    placed = dict(chosen)
    for field_name in VALUE_ORDER[table]:
        if field_name in placed:
            continue
        used = {column.header for column, _ in placed.values()}
        free = [column for column in columns if column.header not in used and column.given]
        found = VALUE_FINDERS[field_name](free, placed, table)
        if found is not None:
            column, why = found
            column.evidence = why
            placed[field_name] = (column, VALUE_SCORE)
    return placed


Found = tuple[Column, str] | None


def _repeats(column: Column) -> bool:
    """Its values repeat, as a vocabulary's or a code's do (not an identifier's)."""
    return column.distinct <= max(3, 0.5 * len(column.given))


def _find_ho_class(free: list[Column], placed: dict, table: str) -> Found:
    for column in free:
        if _repeats(column) and column.fits("ho_class") and not column.fits("dates"):
            _, why = ho_class_pattern(column.values)
            return column, why
    return None


def _find_ho_class_title(free: list[Column], placed: dict, table: str) -> Found:
    """Words that go with the class: a title says which class (one title, one class), and a class
    is titled one way (in capitals or not), in 95% of the records at least (a class set aside
    still has its title); and the classes have titles of their own (most of them)."""
    if "ho_class" not in placed:
        return None
    classes = placed["ho_class"][0].values
    for column in free:
        if not _repeats(column) or not column.fits("titles") or column.fits("dates"):
            continue
        pairs = Counter(
            (title.casefold(), code)
            for title, code in zip(column.values, classes, strict=True)
            if title and code
        )
        rows = sum(pairs.values())
        by_title: dict[str, Counter] = {}
        by_class: dict[str, Counter] = {}
        for (title, code), n in pairs.items():
            by_title.setdefault(title, Counter())[code] += n
            by_class.setdefault(code, Counter())[title] += n
        title_says = sum(max(c.values()) for c in by_title.values())
        class_says = sum(max(c.values()) for c in by_class.values())
        # and the titles tell the classes apart (a status, the same for every class, does not)
        apart = len(by_title) >= max(2, 0.8 * len(by_class))
        if len(by_class) > 1 and apart and min(title_says, class_says) >= 0.95 * rows:
            return column, f"words that go with the class: {len(by_class)} classes, a title each"
    return None


def _find_outcome(free: list[Column], placed: dict, table: str) -> Found:
    for column in free:
        if column.distinct <= 60 and column.fits("outcome") and not column.fits("dates"):
            _, why = outcome_pattern(column.values)
            return column, f"{why}, {column.distinct} distinct, Home Office outcome numbers"
    return None


def _has_role_words(value: str) -> bool:
    return bool(set(re.findall(r"[a-z]+", value.lower())) & ROLE_WORDS)


def _vocabulary_of_words(column: Column) -> bool:
    """A few values, repeated, each holding a letter."""
    return (
        column.distinct <= 20
        and column.distinct <= max(3, len(column.given) / 5)
        and column.share(lambda v: any(c.isalpha() for c in v)) >= 0.9
    )


def _find_status(free: list[Column], placed: dict, table: str) -> Found:
    fitting = [
        column
        for column in free
        if _vocabulary_of_words(column) and column.share(_has_role_words) < 0.5
    ]
    if not fitting:
        return None
    column = min(fitting, key=lambda c: c.distinct)  # of several, the fewest values
    return column, f"{plural(column.distinct, 'value')} of words, repeated: the fewest of a column"


def _find_role(free: list[Column], placed: dict, table: str) -> Found:
    for column in free:
        if _vocabulary_of_words(column) and column.share(_has_role_words) >= 0.5:
            share = column.share(_has_role_words)
            return column, f"{share:.0%} of its values are roles (victim, suspect, witness...)"
    return None


def _full_dates(free: list[Column]) -> list[Column]:
    return [c for c in free if c.fits("dates") and c.filled >= 0.9]


def _timed(column: Column) -> bool:
    return any("%H" in fmt for fmt, _ in column.formats)


def _share_not_after(column: Column, other: Column) -> float:
    """The share of records with both values where `column`'s is not after `other`'s."""
    pairs = [(a, b) for a, b in zip(column.moments(), other.moments(), strict=True) if a and b]
    return sum(a <= b for a, b in pairs) / len(pairs) if pairs else 0.0


def _find_recorded(free: list[Column], placed: dict, table: str) -> Found:
    full = _full_dates(free)
    if not full:
        return None
    # a crime is recorded on or after it was committed: of several, the latest, a time first
    column = max(
        full,
        key=lambda c: (
            _timed(c),
            sum(_share_not_after(other, c) for other in full if other is not c),
        ),
    )
    formats = ", ".join(fmt for fmt, _ in column.formats)
    return column, (
        f"dates{' with times' if _timed(column) else ''} ({formats}) in {column.filled:.0%} "
        "of records, on or after every other full date column's"
    )


def _find_committed(free: list[Column], placed: dict, table: str) -> Found:
    recorded = placed.get("recorded_at")
    for column in _full_dates(free):
        if recorded and _share_not_after(column, recorded[0]) >= 0.9:
            return column, (
                f"dates in {column.filled:.0%} of records, on or before {recorded[0].header}'s "
                f"in {_share_not_after(column, recorded[0]):.0%} of them"
            )
    return None


def _find_original(free: list[Column], placed: dict, table: str) -> Found:
    """A date-time given only on some crimes (migrated ones), before the date recorded, beside
    a reference given on the same crimes (the earlier system's)."""
    recorded = placed.get("recorded_at")
    if not recorded:
        return None
    references = [c for c in free if c.fits("reference") and not c.fits("dates")]
    for column in free:
        if not (column.fits("dates") and _timed(column) and column.filled < 0.95):
            continue
        given = [bool(v) for v in column.values]
        beside = [
            r
            for r in references
            if sum(g == bool(v) for g, v in zip(given, r.values, strict=True)) >= 0.95 * len(given)
        ]
        if beside and _share_not_after(column, recorded[0]) >= 0.9:
            return column, (
                f"date-times in {column.filled:.0%} of records (those where {beside[0].header} "
                f"is given), on or before {recorded[0].header}'s"
            )
    return None


def _find_circumstances(free: list[Column], placed: dict, table: str) -> Found:
    texts = [c for c in free if c.fits("text")]
    if not texts:
        return None
    column = max(texts, key=lambda c: sum(map(len, c.given)) / len(c.given))
    average = sum(map(len, column.given)) // len(column.given)
    return column, f"free text, {average:,} characters on average: the longest of any column"


def _reference_columns(free: list[Column]) -> list[Column]:
    return [
        c
        for c in free
        if c.fits("reference") and not c.fits("dates") and not (_repeats(c) and c.fits("ho_class"))
    ]


def _find_crime_ref(free: list[Column], placed: dict, table: str) -> Found:
    references = [c for c in _reference_columns(free) if c.filled >= 0.99]
    if not references:
        return None
    if table == "crimes":  # one record a crime: every reference different
        unique = [c for c in references if c.distinct == len(c.given)]
        if unique:
            return unique[0], "a reference in every record, each different"
        return None
    # several people, several charges a crime: the reference repeated most (joins decide later)
    column = min(references, key=lambda c: c.distinct)
    return column, f"a reference in every record, {column.distinct:,} different (repeated)"


def _find_legacy_ref(free: list[Column], placed: dict, table: str) -> Found:
    for column in _reference_columns(free):
        if column.distinct == len(column.given):
            return column, (
                f"a reference in {column.filled:.0%} of records, each different (a crime's "
                "reference on an earlier system?)"
            )
    return None


def _find_person_ref(free: list[Column], placed: dict, table: str) -> Found:
    references = [c for c in _reference_columns(free) if c.filled >= 0.99]
    if not references:
        return None
    column = max(references, key=lambda c: c.distinct)
    return column, f"a reference in every record, {column.distinct:,} different"


def _find_legacy_person_ref(free: list[Column], placed: dict, table: str) -> Found:
    for column in _reference_columns(free):
        if column.filled < 0.99:
            return column, f"a reference in {column.filled:.0%} of records (an earlier system's?)"
    return None


def _find_pnc(free: list[Column], placed: dict, table: str) -> Found:
    for column in free:
        if column.fits("pnc") and not column.fits("dates"):
            return column, f"{column.filled:.0%} of records hold a PNC ID (year, serial, letter)"
    return None


def _find_date(free: list[Column], placed: dict, table: str) -> Found:
    for column in free:
        if column.fits("dates") and not _timed(column):
            formats = ", ".join(fmt for fmt, _ in column.formats)
            return column, f"dates ({formats}) in {column.filled:.0%} of records"
    return None


def _find_name(free: list[Column], placed: dict, table: str) -> Found:
    """Surnames, then forenames: of two columns of names, forenames hold a middle name clearly
    more often (five points or more); else the first is the surname, as exports list them."""
    names = [c for c in free if c.fits("names") and c.distinct >= 10]
    if not names:
        return None
    spaced = {c.header: c.share(lambda v: " " in v) for c in names}
    first = names[0]
    if "surname" in placed or len(names) == 1:
        column = first
    else:
        wordier = max(names, key=lambda c: spaced[c.header])
        clearly = spaced[wordier.header] - min(spaced.values()) >= 0.05
        column = min(names, key=lambda c: spaced[c.header]) if clearly else first
    why = f"names (not shown), {spaced[column.header]:.0%} of two words or more"
    if len(names) > 1 and "surname" not in placed:
        why += " (surname or forenames: check)"
    return column, why


#: a CJS offence code: two letters and digits, perhaps a letter after (`SX03210A`)
CJS_CODE = re.compile(r"[A-Za-z]{2}\d{3,}[A-Za-z]?")


def _find_cjs_code(free: list[Column], placed: dict, table: str) -> Found:
    for column in free:
        if column.fits("codes") and column.share(lambda v: bool(CJS_CODE.fullmatch(v))) >= 0.9:
            return column, "offence codes: two letters and digits (SX03210)"
    return None


VALUE_FINDERS = {
    "ho_class": _find_ho_class,
    "ho_class_title": _find_ho_class_title,
    "outcome": _find_outcome,
    "status": _find_status,
    "role": _find_role,
    "recorded_at": _find_recorded,
    "committed_at": _find_committed,
    "original_recorded_at": _find_original,
    "circumstances": _find_circumstances,
    "crime_ref": _find_crime_ref,
    "legacy_ref": _find_legacy_ref,
    "person_ref": _find_person_ref,
    "legacy_person_ref": _find_legacy_person_ref,
    "pnc_id": _find_pnc,
    "date_of_birth": _find_date,
    "charge_date": _find_date,
    "surname": _find_name,
    "forenames": _find_name,
    "cjs_code": _find_cjs_code,
}


def named_table(file_name: str, table: str) -> bool:
    return any(word in file_name.lower() for word in TABLE_WORDS[table])


# ---- files into systems and tables


def export_files(folder: Path) -> list[Path]:
    """The CSV files of an export's folder (not its subfolders), by name."""
    if not folder.is_dir():
        raise ExtractError(f"{folder}: not a folder")
    from helpers.extracts.sheets import SHEET_SUFFIXES

    found = sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in CSV_SUFFIXES + SHEET_SUFFIXES
    )
    if not found:
        raise ExtractError(
            f"{folder}: no CSV file (*.csv, *.tsv, *.txt) or workbook (*.xlsx, *.ods...) in it"
        )
    return found


def name_prefix(file_name: str) -> str:
    """The start of a file's name, to its first `_`, `-`, space or dot (`RMS_CRIMES.csv`: RMS)."""
    return re.split(r"[_\-. ]", file_name, maxsplit=1)[0]


def group_by_system(names: list[str]) -> tuple[list[tuple[str | None, list[str]]], list[str]]:
    """([(a system's name, its files)], files left over): the files sharing the start of their
    names, three or more of them, are a system's; if no start is shared so, every file is one
    system's whose name is not known (None)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name_prefix(name).lower(), []).append(name)
    systems = [(files[0], files) for files in groups.values() if len(files) >= 3]
    if not systems:
        return [(None, list(names))], []
    left = [name for files in groups.values() if len(files) < 3 for name in files]
    return [(system_name(name_prefix(first)), files) for first, files in systems], left


def system_name(prefix: str) -> str | None:
    """A system's name from its files' prefix (`niche` -> Niche, `RMS` as it is), if it is
    one the profile takes."""
    name = prefix[:1].upper() + prefix[1:] if prefix.islower() else prefix
    return name if re.fullmatch(r"[A-Za-z][A-Za-z0-9 _-]{0,39}", name) else None


@dataclass
class TableFile:
    """The file a system's table is guessed to be, and its columns' fields."""

    sample: Sample
    columns: list[Column]
    fields: dict[str, tuple[Column, float]]
    named: bool  # its name says which table it is


@dataclass
class SystemDraft:
    name: str | None
    samples: list[Sample]
    tables: dict[str, TableFile | None]
    unused: list[Sample]
    first_recorded: object = None
    last_recorded: object = None

    def used(self) -> list[Sample]:
        """The files the draft takes as the system's tables (or all, if none)."""
        return [found.sample for found in self.tables.values() if found] or self.samples


def columns_of(sample: Sample) -> list[Column]:
    return [Column(header, sample.column(header)) for header in sample.header if header]


def assign_tables(samples: list[Sample]) -> tuple[dict[str, TableFile | None], list[Sample]]:
    """Which of a system's files holds crimes, people and charges: the assignment whose files
    fit their tables best (headers and values, and the table's word in the name)."""
    from itertools import permutations

    columns = {sample.name: columns_of(sample) for sample in samples}
    score = {
        (sample.name, table): table_score(sample, columns[sample.name], table)
        for sample in samples
        for table in TABLES
    }
    padded: list[Sample | None] = [*samples, *([None] * max(0, 3 - len(samples)))]
    best = max(
        permutations(padded, 3),
        key=lambda chosen: sum(
            score[(s.name, table)] for s, table in zip(chosen, TABLES, strict=True) if s
        ),
    )
    tables: dict[str, TableFile | None] = {}
    for sample, table in zip(best, TABLES, strict=True):
        if sample is None or score[(sample.name, table)] == 0:
            tables[table] = None
            continue
        for column in columns[sample.name]:
            column.evidence = None  # what scoring the file as another table placed
        found = map_columns(columns[sample.name], table)
        tables[table] = TableFile(
            sample, columns[sample.name], found, named_table(sample.name, table)
        )
    used = {t.sample.name for t in tables.values() if t}
    join_references(tables)
    return tables, [sample for sample in samples if sample.name not in used]


#: the crime references placed by their values that a join decides: (table, the table its
#: values point into)
JOINS = (("people", "crimes"), ("charges", "crimes"))
#: a column points into another when at least this share of its values are there
MIN_JOIN = 0.5


def join_references(tables: dict[str, TableFile | None]) -> None:
    """Reference columns placed by their values, settled by the joins between the files: the
    people's and charges' crime references are the column whose values are the crimes file's
    references; the charges' person references and the people's are the pair of columns whose
    values meet most. A header that names a field is never overruled."""
    crimes = tables.get("crimes")
    for table, _ in JOINS:
        found = tables.get(table)
        if not found or not crimes or "crime_ref" not in crimes.fields:
            continue
        if not _by_values(found, "crime_ref"):
            continue
        pointed = crimes.fields["crime_ref"][0]
        shares = {c.header: _share_in(c, pointed) for c in found.columns if c.fits("reference")}
        if shares and max(shares.values()) >= MIN_JOIN:
            best = max(shares.values())
            column = next(c for c in found.columns if shares.get(c.header) == best)
            _assign(found, "crime_ref", column)
            column.evidence = (
                f"{shares[column.header]:.0%} of its values are {crimes.sample.name}'s "
                f"{pointed.header}"
            )
    people, charges = tables.get("people"), tables.get("charges")
    if not people or not charges:
        return
    if not (_by_values(people, "person_ref") or _by_values(charges, "person_ref")):
        return

    def others(found: TableFile) -> list[Column]:
        taken = found.fields.get("crime_ref")
        return [
            c
            for c in found.columns
            if c.fits("reference") and c.filled >= 0.99 and (not taken or c is not taken[0])
        ]

    pairs = [(_share_in(c, p), p, c) for p in others(people) for c in others(charges)]
    if not pairs or max(pair[0] for pair in pairs) < MIN_JOIN:
        return
    share, person, charged = max(pairs, key=lambda pair: pair[0])
    if _by_values(people, "person_ref"):
        _assign(people, "person_ref", person)
        person.evidence = f"{charges.sample.name}'s person references are its values"
    if _by_values(charges, "person_ref"):
        _assign(charges, "person_ref", charged)
        charged.evidence = f"{share:.0%} of its values are {people.sample.name}'s {person.header}"


def _by_values(found: TableFile, field_name: str) -> bool:
    """The field is unplaced, or placed by its values (a header naming it is never overruled)."""
    return field_name not in found.fields or found.fields[field_name][1] == VALUE_SCORE


def _share_in(column: Column, target: Column) -> float:
    """The share of `column`'s values found among `target`'s."""
    values, given = set(target.given), column.given
    return sum(value in values for value in given) / len(given) if given else 0.0


def _assign(found: TableFile, field_name: str, column: Column) -> None:
    """`column` holds `field_name`; the field it held before, if any, takes the column
    `field_name` had (or is unplaced)."""
    previous = found.fields.get(field_name)
    for other, (held, score) in list(found.fields.items()):
        if held is column and other != field_name:
            if previous is not None:
                found.fields[other] = (previous[0], score)
            else:
                del found.fields[other]
    found.fields[field_name] = (column, VALUE_SCORE)


def recorded_span(system: SystemDraft) -> None:
    """The first and last recorded date-times in a system's crimes records read."""
    import pyarrow as pa
    import pyarrow.compute as pc

    crimes = system.tables.get("crimes")
    if not crimes or "recorded_at" not in crimes.fields:
        return
    column = crimes.fields["recorded_at"][0]
    parsed = parse_datetimes(
        pa.array(column.values, type=pa.string()), [f for f, _ in column.formats]
    )
    span = pc.min_max(parsed).as_py()
    system.first_recorded, system.last_recorded = span["min"], span["max"]


def draft_systems(folder: Path, rows: int) -> tuple[list[SystemDraft], list[str]]:
    """The systems of an export's files, oldest first (by the first crime recorded), and the
    files no system took."""
    samples = join_year_files(
        {path.name: read_any_sample(path, rows) for path in export_files(folder)}
    )
    groups, left = group_by_system(list(samples))
    systems = []
    for name, files in groups:
        tables, unused = assign_tables([samples[file] for file in files])
        system = SystemDraft(name, [samples[file] for file in files], tables, unused)
        recorded_span(system)
        systems.append(system)
    systems.sort(key=lambda s: (s.first_recorded is None, str(s.first_recorded)))
    return systems, left


# ---- the draft's text


def scalar(value: str, plain: bool = True) -> str:
    """A string as a YAML value (or key) that reads back as the same string: plain if it can be
    (and `plain`), else in single quotes (backslashes as they are), else in double quotes."""
    single = "'" + value.replace("'", "''") + "'"
    for written in (value, single) if plain else (single,):
        try:
            if value.isprintable() and yaml.safe_load(f"{written}: {written}") == {value: value}:
                return written
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def flow_list(values: list[str]) -> str:
    return "[" + ", ".join(scalar(value, plain=False) for value in values) + "]"


#: the draft's comment lines are wrapped at this width
WIDTH = 100


class Lines:
    """The draft's lines: keys with values, comments above them or after them."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.todos = 0

    def comment(self, indent: int, text: str) -> None:
        """Comment lines, each paragraph wrapped at `WIDTH` (a long list of values goes on)."""
        for paragraph in text.splitlines():
            for line in textwrap.wrap(paragraph, WIDTH - indent - 2, break_long_words=False):
                self.lines.append(" " * indent + "# " + line)

    def entry(self, indent: int, key: str, value: str | None = None, note: str = "") -> None:
        text = " " * indent + f"{key}:" + (f" {value}" if value is not None else "")
        if value == TODO:
            self.todos += 1
        if note:
            text = text.ljust(40) + "  # " + note
        self.lines.append(text)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def count(n: int, total: int) -> str:
    return f"{n:,} of {total:,}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


#: words of a header that say its column holds someone's personal data (never shown)
PERSONAL_WORDS = frozenset(
    {
        "name",
        "surname",
        "forename",
        "birth",
        "dob",
        "address",
        "postcode",
        "phone",
        "telephone",
        "mobile",
        "email",
        "mail",
        "nin",
        "passport",
        "licence",
    }
)


def personal(header: str, field_name: str | None) -> bool:
    return (
        field_name in PERSONAL_FIELDS
        or bool(words(header) & PERSONAL_WORDS)
        or any(word in header.lower() for word in ("name", "birth"))
    )


def described(column: Column, field_name: str | None = None) -> str:
    """What a column's values look like, without showing one that could be anybody's."""
    given = column.given
    total = len(column.values)
    blank = f"; {total - len(given):,} blank" if len(given) < total else ""
    if not given:
        return f"every value blank in the {total:,} records read"
    if column.fits("dates"):
        return (
            "; ".join(f"{count(n, len(given))} values parse as {fmt}" for fmt, n in column.formats)
            + blank
        )
    if personal(column.header, field_name):
        return f"{plural(len(given), 'value')} (not shown: personal data){blank}"
    if column.fits("text"):
        average = sum(map(len, given)) // len(given)
        return f"free text, {average:,} characters on average (not shown){blank}"
    return f"{len(set(given)):,} distinct values written {_shapes(given)}{blank}"


def render(folder: Path, systems: list[SystemDraft], left: list[str], rows: int) -> tuple[str, int]:
    """The draft profile's text and the number of TODOs in it."""
    out = Lines()
    out.comment(
        0,
        f"A DRAFT force profile, written by `foi-briefing profile draft` from the export in the "
        f"folder {folder.name!r}: its guesses, each with the evidence for it, from the first "
        f"{rows:,} records of each file. Answer every TODO from the values shown, check every "
        "guess, then check the profile against the export (it refuses the draft while a TODO is "
        "left, naming its key):\n"
        "  foi-briefing profile check THIS-FILE --extracts FOLDER\n"
        "Every key is explained in docs/force-profiles.md. No name, date of birth or free text of "
        "the export is written here: those columns are described, never shown.",
    )
    out.entry(0, "force", TODO, "the force's name")
    out.lines.append("")
    if left:
        out.comment(
            0, "files not drafted (their names share no start with two others): " + ", ".join(left)
        )
    if len(systems) > 1:
        out.comment(
            0,
            "the systems, oldest first by the first crime recorded in the records read: "
            + "; ".join(
                f"{s.name or '?'} {s.first_recorded:%Y-%m-%d %H:%M}"
                if s.first_recorded
                else f"{s.name or '?'} (none read)"
                for s in systems
            ),
        )
    out.entry(0, "systems")
    forms: dict[str, str] = {}  # each system's crime reference form, for the later ones' links
    for number, system in enumerate(systems):
        render_system(out, system, systems[:number], forms)
    return out.text(), out.todos


def render_system(
    out: Lines, system: SystemDraft, earlier: list[SystemDraft], forms: dict[str, str]
) -> None:
    """One system's entry of the draft."""
    files = ", ".join(sample.name for sample in system.samples)
    out.lines.append("")
    out.comment(2, f"from {files}")
    name_note = (
        "the start of its files' names: rename it as the briefing should"
        if system.name
        else "TODO: the system's name (letters, digits, spaces, - and _)"
    )
    out.lines.append(
        "  - " + f"system: {scalar(system.name or TODO)}".ljust(36) + "  # " + name_note
    )
    if not system.name:
        out.todos += 1
    out.entry(4, "description", TODO, "the system in a phrase, for the briefing's method")
    tables = system.tables
    crimes = tables.get("crimes")
    fields = crimes.fields if crimes else {}
    if not earlier:
        for legacy in ("legacy_ref",):
            fields.pop(legacy, None)  # the oldest system took nothing over
        if tables.get("people"):
            tables["people"].fields.pop("legacy_person_ref", None)  # type: ignore[union-attr]
    else:
        took_over(out, system, earlier, forms)
    if system.first_recorded is not None:
        out.comment(
            4,
            "recording_from, recording_until: when the system started and stopped recording "
            f"new crimes, if known; the crimes read were recorded from "
            f"{system.first_recorded:%Y-%m-%d %H:%M} to {system.last_recorded:%Y-%m-%d %H:%M}",
        )
    encoding_entry(out, system)
    layout_entries(out, system)
    format_entries(out, system)
    pattern_entries(out, system)
    identifier_entries(out, system, forms)
    status_entries(out, system)
    out.entry(4, "files")
    for table in TABLES:
        file_entries(out, table, tables.get(table))
    if system.unused:
        out.comment(4, "files not used: " + ", ".join(sample.name for sample in system.unused))


def took_over(
    out: Lines, system: SystemDraft, earlier: list[SystemDraft], forms: dict[str, str]
) -> None:
    """`took_over_from`: a TODO naming the candidates, with the evidence of a legacy column."""
    crimes = system.tables.get("crimes")
    legacy = crimes.fields.get("legacy_ref") if crimes else None
    names = ", ".join(s.name or "?" for s in earlier)
    if legacy is None:
        out.comment(
            4,
            "took_over_from: no column of its crimes names a crime of an earlier system, so none "
            f"is written (if crimes were migrated into it from {names}, name that column "
            "legacy_ref)",
        )
        return
    column = legacy[0]
    evidence = []
    for other in earlier:
        form = forms.get(other.name or "")
        if form and column.given:
            fitting = sum(bool(re.fullmatch(form, value)) for value in column.given)
            evidence.append(
                f"{fitting:,} of them have the form of {other.name}'s crime references ({form})"
            )
    out.comment(
        4,
        f"TODO took_over_from: the system whose crimes were migrated into this one: {names}; or "
        f"delete the line if none was. {column.header} holds {plural(len(column.given), 'value')} "
        f"({len(column.values) - len(column.given):,} blank)"
        + ("; " + "; ".join(evidence) if evidence else ""),
    )
    out.entry(4, "took_over_from", TODO)


def encoding_entry(out: Lines, system: SystemDraft) -> None:
    """`encoding`: the files' (the one every file with more than ASCII in it agrees on); a
    workbook has none."""
    for sample in system.used():
        out.comment(4, f"{sample.name}: {sample.encoding_evidence}")
    samples = [sample for sample in system.used() if not sample.workbook]
    told = {s.encoding for s in samples if not s.encoding_evidence.startswith("ASCII")}
    if len(told) > 1 or None in told:
        out.entry(4, "encoding", TODO, "the files do not agree, or one is not readable: see above")
        return
    (encoding,) = told or {"utf-8"}
    characters = sum((s.non_ascii for s in samples), Counter())
    if characters:
        out.comment(
            4,
            "its characters above ASCII, as this encoding reads them (wrong ones mean a wrong "
            "encoding): " + ", ".join(f"{char} ({n:,})" for char, n in characters.most_common(12)),
        )
    out.entry(4, "encoding", scalar(encoding or TODO))


def layout_entries(out: Lines, system: SystemDraft) -> None:
    samples = [sample for sample in system.used() if not sample.workbook]
    for sample in samples:
        out.comment(4, f"{sample.name}: {sample.layout_evidence}")
    samples = samples or system.used()  # workbooks only: the defaults, which they ignore
    quoting = {s.quote_char for s in samples if s.quoted}
    for key, told in (
        ("delimiter", {s.delimiter for s in samples}),
        ("quote_char", quoting or {'"'}),  # a file with no field quoted says nothing
    ):
        if len(told) == 1:
            out.entry(4, key, scalar(told.pop(), plain=False))
        else:
            out.entry(
                4, key, TODO, "the files do not agree: " + " ".join(map(json.dumps, sorted(told)))
            )


def _field_column(system: SystemDraft, table: str, field_name: str) -> Column | None:
    found = system.tables.get(table)
    return found.fields[field_name][0] if found and field_name in found.fields else None


def format_entries(out: Lines, system: SystemDraft) -> None:
    """`datetime_formats` (of recorded dates) and `date_format` (of charge dates), and the formats
    of committed dates and dates of birth that neither holds, added to `datetime_formats`: the
    loader reads a committed date with `datetime_formats` then `date_format`, a date of birth with
    `date_format` then `datetime_formats` (a date none reads is left empty, unsaid but by a run)."""
    totals: Counter = Counter()
    for field_name in ("recorded_at", "original_recorded_at"):
        column = _field_column(system, "crimes", field_name)
        if column is not None:
            out.comment(4, f"{column.header}: {described(column, field_name)}")
            for fmt, n in column.formats:
                totals[fmt] += n
    day_column = _field_column(system, "charges", "charge_date")
    day_fmt, day_note = None, "no charge date read: its format"
    if day_column is not None and day_column.formats:
        day_fmt = day_column.formats[0][0]
        if dict(day_column.formats)[day_fmt] < 0.9 * len(day_column.given):
            day_fmt, day_note = None, f"the charge dates are not all written one way ({day_fmt}?)"
    others: Counter = Counter()  # committed dates and dates of birth that neither format reads
    for table, field_name in (("crimes", "committed_at"), ("people", "date_of_birth")):
        column = _field_column(system, table, field_name)
        if column is None:
            continue
        if day_fmt is None and field_name == "date_of_birth" and column.formats:
            day_fmt = column.formats[0][0]  # no charge dates: dates of birth give the format
        out.comment(4, f"{column.header}: {described(column, field_name)}")
        for fmt, n in column.formats:
            if fmt not in totals and fmt != day_fmt:
                others[fmt] += n
    if totals or others:
        formats = [fmt for fmt, _ in totals.most_common()] + [f for f, _ in others.most_common()]
        note = (
            f"the last {len(others)} for committed dates or dates of birth only"
            if totals and others
            else ""
        )
        out.entry(4, "datetime_formats", flow_list(formats), note)
    else:
        out.entry(4, "datetime_formats", f"[{TODO}]", "TODO: no recorded date read: its formats")
    if day_column is not None:
        out.comment(4, f"{day_column.header}: {described(day_column, 'charge_date')}")
    if day_fmt is None:
        out.entry(4, "date_format", TODO, day_note)
    else:
        out.entry(4, "date_format", scalar(day_fmt, plain=False))


def pattern_entries(out: Lines, system: SystemDraft) -> None:
    """`ho_class_pattern`, `outcome_pattern`, `pnc_pattern` from the values seen."""
    for key, table, field_name, guess in (
        ("ho_class_pattern", "crimes", "ho_class", ho_class_pattern),
        ("outcome_pattern", "crimes", "outcome", outcome_pattern),
        ("pnc_pattern", "people", "pnc_id", pnc_pattern),
    ):
        column = _field_column(system, table, field_name)
        if column is None:
            out.entry(4, key, TODO, f"no column of {field_name} found")
            continue
        pattern, why = guess(column.values)
        out.comment(4, f"{column.header}: {why}")
        if field_name == "outcome" and column.given:
            out.comment(4, f"{column.header}: the values: {vocabulary(column.values, 8)}")
        out.entry(4, key, scalar(pattern, plain=False) if pattern else TODO)
        if field_name == "outcome" and pattern:
            pending_entry(out, column, pattern)


def pending_entry(out: Lines, column: Column, pattern: str) -> None:
    """`pending_values`: a TODO when outcomes are written as words the pattern does not read
    (`Pending`, `Under investigation`): those meaning no outcome yet, or a run sets them aside."""
    words = Counter(
        value
        for value in column.given
        if not re.search(pattern, value) and not any(c.isdigit() for c in value)
    )
    if not words:
        return
    out.comment(
        4,
        f"TODO pending_values: {column.header} holds words no outcome number is read from: "
        + ", ".join(f"{value} ({n:,})" for value, n in words.most_common(8))
        + ". List those meaning no outcome yet, as [Pending]; delete the line if none does "
        "(a run sets the others aside)",
    )
    out.entry(4, "pending_values", TODO)


def identifier_entries(out: Lines, system: SystemDraft, forms: dict[str, str]) -> None:
    """`identifier_formats`: the forms of the system's crime and person references, for the
    release gate."""
    found = []
    for table, field_name in (("crimes", "crime_ref"), ("people", "person_ref")):
        column = _field_column(system, table, field_name)
        if column is None:
            continue
        form, why = identifier_form(column.values)
        if form is None or re.fullmatch(form, "") or re.fullmatch(form, "A"):
            out.comment(4, f"{column.header}: no form written for the release gate ({why})")
            continue
        if field_name == "crime_ref":
            forms[system.name or ""] = form
        found.append((column.header[:40], form, why))
    if not found:
        return
    out.entry(4, "identifier_formats", None, "the system's own identifiers, for the release gate")
    for header, form, why in found:
        out.entry(6, scalar(header), scalar(form, plain=False), why)


def status_entries(out: Lines, system: SystemDraft) -> None:
    """`status_values`: every status seen, each a TODO (what it means is the force's to say)."""
    column = _field_column(system, "crimes", "status")
    out.comment(
        4,
        "TODO status_values: what each value means: live, cancelled (not counted) or migrated "
        "(moved to a newer system: the crime is counted there)",
    )
    if column is not None and not system.tables["crimes"].sample.whole:  # type: ignore[union-attr]
        out.comment(
            4,
            "(the values of the records read: `profile check --extracts` lists any other a run "
            "would set aside)",
        )
    out.entry(4, "status_values")
    if column is None or not column.given:
        out.entry(6, TODO, TODO, "no status column found: every value of it")
        return
    counts = Counter(column.given)
    for value, n in counts.most_common():
        out.entry(6, scalar(value), TODO, f"{count(n, len(column.values))} records")
    blank = len(column.values) - len(column.given)
    if blank:
        out.comment(6, f"and {blank:,} blank (a run sets those aside)")


def file_entries(out: Lines, table: str, found: TableFile | None) -> None:
    out.entry(6, table)
    if found is None:
        out.entry(8, "file", TODO, f"no file of {table} found among the system's files")
        out.entry(8, "columns", "{}")
        return
    sample = found.sample
    read = f"{len(sample.records):,} records read" + (" (every one)" if sample.whole else "")
    if found.named:
        out.entry(8, "file", scalar(sample.name), f"{read}; its name and headers say {table}")
    else:
        out.comment(
            8, f"TODO file: the name does not say; its headers suggest {sample.name} ({read})"
        )
        out.entry(8, "file", TODO)
    others = [name for name in sample.sheets if name != sample.sheet]
    if sample.sheet is not None and others:  # one sheet: no key, a run reads the first
        # on lines of their own: a sheet's name is the export's text
        out.comment(8, "the workbook's other sheets: " + ", ".join(map(repr, others)))
        out.entry(8, "sheet", scalar(sample.sheet), "the sheet with the most named columns")
    out.entry(8, "columns")
    for field_name in sorted(CANONICAL_FIELDS[table], key=FIELD_ORDER.index):  # type: ignore[index]
        if field_name in found.fields:
            column = found.fields[field_name][0]
            out.entry(10, field_name, scalar(column.header), column_note(field_name, column))
        elif field_name in REQUIRED_FIELDS[table]:  # type: ignore[index]
            out.entry(
                10,
                field_name,
                TODO,
                "no column found for it: write its header (the file's headers unused are below)",
            )
    used = {column.header for column, _ in found.fields.values()}
    for column in found.columns:
        if column.header not in used:
            out.comment(8, f"not used: {column.header}: {described(column)}")


FIELD_ORDER = [
    "crime_ref",
    "person_ref",
    "legacy_ref",
    "legacy_person_ref",
    "recorded_at",
    "original_recorded_at",
    "committed_at",
    "ho_class",
    "ho_class_title",
    "status",
    "outcome",
    "circumstances",
    "pnc_id",
    "role",
    "surname",
    "forenames",
    "date_of_birth",
    "charge_date",
    "cjs_code",
    "charge_ref",
]


def column_note(field_name: str, column: Column) -> str:
    """The evidence for a column's field, in a line (a vocabulary's values; else a description
    that shows no one's data); a column placed by its values says so first."""
    note = _column_note(field_name, column)
    if column.evidence:
        return f"by its values: {column.evidence}; {note}"
    return note


def _column_note(field_name: str, column: Column) -> str:
    if field_name in ("role",):
        return "values: " + vocabulary(column.values, 8)
    if field_name == "status":
        return f"{plural(len(set(column.given)), 'value')}: status_values"
    if FIELD_KINDS[field_name] == "reference":
        distinct = len(set(column.given))
        blank = len(column.values) - len(column.given)
        return f"{distinct:,} distinct values" + (f", {blank:,} blank" if blank else "")
    if field_name in ("ho_class", "outcome", "pnc_id"):
        return "the pattern above"
    if FIELD_KINDS[field_name] == "dates":
        return "the format above"
    return described(column, field_name)


# ---- the command


def draft_profile(folder: Path, rows: int = DRAFT_ROWS) -> tuple[str, int, list[str]]:
    """The draft profile's text for the export in `folder`, its number of TODOs, and its systems'
    names."""
    systems, left = draft_systems(folder, rows)
    text, todos = render(folder, systems, left, rows)
    return text, todos, [system.name or TODO for system in systems]


def write_draft(folder: Path, out: Path | None, rows: int = DRAFT_ROWS) -> str:
    """Write the draft to `out`, a new file (never one already there), and give the line saying
    so; or give the draft's text if `out` is None. The draft holds no personal data (the module's
    docstring), so it is written with the user's usual permissions."""
    if out is not None and out.exists():
        raise ProfileError(f"{out}: already exists: name a new file for the draft")
    text, todos, names = draft_profile(folder, rows)
    if out is None:
        return text
    try:
        with open(out, "x", encoding="utf-8") as written:
            written.write(text)
    except OSError as error:
        raise ProfileError(f"{out}: cannot be written ({error.strerror})") from None
    return (
        f"{out}: a draft of {plural(len(names), 'system')} ({', '.join(names)}) with "
        f"{plural(todos, 'TODO')} to answer; then: foi-briefing profile check {out} --extracts "
        f"{folder}\n"
    )
