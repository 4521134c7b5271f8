"""The release gate and the manifest: nothing leaves `release/` unchecked.

`check_release` runs at the end of every run over every file under `OUT/<reference>/release/`;
`check_tables` runs the same checks on the tables alone (the notebook calls it, or `write_tables`,
before it writes them, so a direct papermill run cannot leave unchecked tables behind). A report
with any finding fails the run. The rules:

identifier
    A crime reference (CMS `CM/13/0000001`, Connect `00000864/16`), person ID (`PER7004775`,
    `PERD…`), nominal number (`408657`) or PNC ID from the extracts, as a WHOLE token. Text is split
    on whitespace and on every punctuation mark except `/` (underscores split too), and `/` is then
    trimmed from both ends of a token; a token is a candidate when it has a digit and 6 or more
    characters, and the `/`-separated parts of a token are candidates too (`path/408657`). PNC-like
    tokens (`2000/0448754A`, `00/448754a`, even `2000 / 0448754A`) are asked in normalised form
    (`00/448754A`: two-digit year, serial as a number, upper-case check letter), so either system's
    spelling of the same ID is caught. The data decides (`Sensitive.identifiers_present`): a
    6-digit number that is no one's nominal number passes, and so does a sha256 (one 64-character
    token) or a longer number that merely contains an identifier.
name_with_dob
    A date in the text (`24/05/1992`, `24-05-1992`, `24.05.1992`, `24/05/92` (both 1992 and 2092
    are tried), `1992-05-24`, `1992-05-24T00:00:00`, `24 May 1992`, `24th of May 1992`,
    `May 24, 1992`, `24 Sept 1992`) that is somebody's date of birth, with that person's surname
    (all its words, in order) within 15 words either side. Names are compared accent- and
    case-insensitively; a surname written all in lower case counts only with one of the person's
    forenames in the same window, since common words (`child`, `hunter`, `young`) are surnames too and the briefing's prose
    is full of them.
copied_text
    A run of 8 or more consecutive words of a circumstances text (`Sensitive.texts()`) in a file.
    Words are the maximal runs of ASCII letters and digits, lower-cased; everything else
    (punctuation, markup, curly quotes, dashes, and accented letters, which split a word in two
    on both sides alike) separates words. The RELEASE's 8-word runs (small) are numbered and
    hashed once; the texts are tokenised in chunks of 200,000 by one Arrow kernel, their word
    runs hashed with numpy, dismissed by a 16M-bit table or a binary search, and every hit is
    confirmed word for word. A run is never made of the end of one text and the start of the
    next. One finding per place in a file, saying how many texts hold the run.
small_count
    A data cell of a released CSV table holding a count from 1 to T-1. The first row (column
    labels) and first column (row labels) are labels and are not checked; an empty cell, `0`,
    `f"<{T}"` and `[c]` are fine. A count is an integer, also written `1,234`, `3.0`, `+3`, `3*`
    or `3 (12%)`; `<k` with k < T is a narrower range than the threshold allows and fails too.
    (A table passed as a DataFrame is checked as `table_csv` writes it: the index becomes the
    label column(s) unless it is a plain RangeIndex.) A CSV cell that is a spreadsheet formula
    reaching for the web (`=HYPERLINK(…)`, `=WEBSERVICE(…)`, a URL) is an external_link. The
    HTML and PDF show the same tables; this rule reads the CSV files, not the page.
external_link
    HTML (and SVG/XML) must be self-contained: any `<script src>`, `<link href>` or `src` that is
    not a `data:` URI; any URL attribute (`href`, `src`, `srcset`, `action`, `data`, `poster`,
    `background`, `xlink:href`, ...) holding an absolute (`scheme://`) or protocol-relative (`//`)
    URL — so `<a href="https://…">` fails too, while `<a href="#s2">` and a relative
    `<a href="tables/x.csv">` pass; a refresh `<meta>` to a URL; in CSS (`<style>`, `style=`,
    `.css` files) any `@import` or `url(…)` that is not `data:` or `#fragment`, and any absolute
    URL outside comments; any absolute URL inside an inline `<script>`. A website named in plain
    text (`www.gov.uk`, even `https://www.gov.uk` in a sentence) is not a link. In a PDF: any
    `/URI`, `/Launch`, `/GoToR`, `/GoToE`, `/SubmitForm`, `/ImportData`, `/JavaScript` action,
    found by walking every object with pypdf (WeasyPrint compresses its object streams, so the
    raw bytes alone do not show them) and in the raw bytes as well.
unreadable
    A file the gate cannot read, so cannot vouch for: binary files other than PDF (PNG, XLSX,
    ...), text that is not UTF-8, a CSV or JSON that does not parse, a PDF with no text extractor
    available (pypdf, else `pdftotext`), a PDF with no extractable text, an encrypted PDF or one
    with embedded files, a missing release folder.

Images are not read: a `data:` image's payload is skipped (text-like `data:` URIs — `text/*`,
SVG, JSON — are decoded and checked), and so are the pictures inside a PDF. In an embedded SVG
(the briefing's chart) the words it shows and its attributes are checked, but not its drawing
(path data, coordinates, transforms, styles: `SVG_DRAWING_ATTRIBUTES`), as a PNG's pixels are not. A PDF's text is what
pypdf extracts (pages and metadata): text boxes that touch with no gap (table cells without
padding) come out glued into one word, so the briefing's table style must keep its cell padding
(a test renders `report.table_html` to check this).

Use, at the end of a run (`runner.seal_release`; the notebook calls `write_tables` the same way
for its tables). `ExtractSensitive` reads what it looks for from the run's extract (the cache);
`FrameSensitive` does the same from plain frames (the tests plant leaks with it)::

    sensitive = ExtractSensitive(extract, text_ids)  # text_ids: the crimes whose texts the run read
    write_manifest(paths.release, reference=..., parameters=..., project_version=...,
                   extract_files={name: f["sha256"] for name, f in extract.files.items()},
                   run_time=...)
    report = check_release(paths.release, threshold, sensitive)  # the manifest is checked too
    report.write(paths.restricted / "gate_report.json")
    print(report.summary_line())
    report.raise_if_failed()  # ReleaseGateError, one line

A finding's detail never repeats the leaked value in full (`crime reference CM/1… at line 12`),
since the report is printed on the console as well as saved in `restricted/`.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import csv
import hashlib
import html
import io
import json
import re
import shutil
import subprocess
import unicodedata
import urllib.parse
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.errors import ReleaseGateError

RULES = ("identifier", "name_with_dob", "copied_text", "small_count", "external_link", "unreadable")
COPY_RUN = 8  # words: a run this long copied from a circumstances text fails the release
NAME_WINDOW = 15  # words either side of a date of birth searched for the person's name
DOB_YEARS = (1850, 2150)  # dates outside these years are nobody's date of birth
TEXT_CHUNK = 200_000  # circumstances texts tokenised at once
MANIFEST = "manifest.json"
SUPPRESSED_MARK = "[c]"


# --------------------------------------------------------------------------------------------
# Findings and the report


@dataclass(frozen=True)
class Finding:
    """One reason the release must not go out. `detail` never holds the leaked value in full."""

    file: str
    rule: str
    detail: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown release gate rule {self.rule!r}")

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


_RULE_PHRASES = {
    "name_with_dob": "a name with a date of birth",
    "copied_text": "text copied from a circumstances record",
    "small_count": "a count below the threshold",
    "external_link": "a link to an outside resource",
    "unreadable": "cannot be read by the gate",
}
_IDENTIFIER_KINDS = ("crime reference", "person ID", "nominal number", "PNC ID", "identifier")


def _phrase(finding: Finding) -> str:
    if finding.rule == "identifier":
        kind = next((k for k in _IDENTIFIER_KINDS if finding.detail.startswith(k)), "identifier")
        article = "an" if kind[0] in "aeiou" else "a"
        return f"contains {article} {kind}"
    phrase = _RULE_PHRASES[finding.rule]
    return phrase if finding.rule == "unreadable" else f"contains {phrase}"


@dataclass
class GateReport:
    """What the gate found in the files it checked; `passed` when it found nothing."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "summary": self.summary_line(),
            "files_checked": list(self.files_checked),
            "findings": [f.to_dict() for f in self.findings],
        }

    def summary_line(self) -> str:
        """One line for the console; names the first finding, never the leaked value."""
        if self.passed:
            n = len(self.files_checked)
            return f"release gate: passed ({n} file{'' if n == 1 else 's'})"
        first, n = self.findings[0], len(self.findings)
        return f"release gate: FAILED: {first.file} {_phrase(first)} (1 of {n} finding{'' if n == 1 else 's'})"

    def raise_if_failed(self) -> GateReport:
        if not self.passed:
            raise ReleaseGateError(self)
        return self

    def write(self, path: Path) -> Path:
        """Save the report (for `restricted/`)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return path


# --------------------------------------------------------------------------------------------
# What the gate looks for


@runtime_checkable
class Sensitive(Protocol):
    """What the gate looks for, provided by the caller from the extracts."""

    def identifiers_present(self, tokens: set[str]) -> set[str]:
        """Which of these candidates are real identifiers: crime references, person IDs, nominal
        numbers (as written, upper case) and PNC IDs (normalised: `00/448754A`)."""
        ...

    def people_with_dob(self, dates: set[date]) -> pd.DataFrame:
        """Columns surname, forenames, date_of_birth: the people born on any of these dates."""
        ...

    def texts(self) -> Iterable[str]:
        """The circumstances texts the run touched (may be ~1M)."""
        ...


_PNC = re.compile(r"(\d{2,4})/(\d{1,9})([A-Za-z])")
_SYSTEM_PREFIX = re.compile(r"^[A-Za-z]+:(?=.)")


def normalise_pnc(value: str) -> str | None:
    """`2000/0448754A`, ` 2000/0448754a `, `00/448754A` -> `00/448754A`; None if not a PNC ID."""
    match = _PNC.fullmatch(re.sub(r"\s+", "", str(value)))
    if not match:
        return None
    year, serial, check = match.groups()
    return f"{year[-2:]}/{int(serial)}{check.upper()}"


def _arrow_strings(values: pd.Series) -> pa.Array:
    """A column's non-missing values as Arrow strings (numbers written as text)."""
    values = values.dropna()
    if values.dtype != "string[pyarrow]" and str(values.dtype) != "str":
        values = values.astype("string[pyarrow]")
    array = pa.array(values.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _normalise_pnc_arrow(values: pa.Array) -> pa.Array:
    """`normalise_pnc` over an Arrow array (null where a value is not a PNC ID)."""
    cleaned = pc.utf8_upper(
        pc.replace_substring_regex(values.cast(pa.string()), pattern=r"\s+", replacement="")
    )
    parts = pc.extract_regex(
        cleaned, pattern=r"^(?P<year>\d{2,4})/(?P<serial>\d{1,9})(?P<check>[A-Z])$"
    )
    year = pc.utf8_slice_codeunits(pc.struct_field(parts, "year"), start=-2)
    serial = pc.cast(pc.cast(pc.struct_field(parts, "serial"), pa.int64()), pa.string())
    year_serial = pc.binary_join_element_wise(year, serial, "/")
    return pc.binary_join_element_wise(year_serial, pc.struct_field(parts, "check"), "")


def _as_dates(values: pd.Series) -> pd.Series:
    """Dates of birth as datetime64: datetimes, `date`s, `24/05/1992` or `1992-05-24` text."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return (
            values.dt.tz_localize(None).dt.normalize()
            if getattr(values.dt, "tz", None)
            else values.dt.normalize()
        )
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"):
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return parsed.dt.normalize()


@dataclass
class FrameSensitive:
    """`Sensitive` from pandas frames (the canonical model's, or the raw files' renamed).

    crimes   identifier columns: any of `CRIME_COLUMNS` present
    people   identifier columns: any of `PERSON_COLUMNS` present (a `SYSTEM:` prefix, as in the
             canonical `person_key`, is dropped) and `pnc_id` (raw or normalised); `surname`,
             `forenames` (or `forename`), `date_of_birth` (datetime, date, or CMS/Connect text)
    circumstances  the circumstances texts (the spec's `texts` field: renamed because `texts()` is
             the protocol's method); default: `crimes["circumstances"]`
    """

    crimes: pd.DataFrame
    people: pd.DataFrame
    circumstances: pd.Series | None = None

    CRIME_COLUMNS: ClassVar[tuple[str, ...]] = (
        "crime_ref",
        "crime_id",
        "legacy_ref",
        "legacy_crime_ref",
    )
    PERSON_COLUMNS: ClassVar[tuple[str, ...]] = (
        "person_ref",
        "legacy_person_ref",
        "person_key",
        "legacy_person_key",
        "nominal_no",
        "person_id",
    )
    PNC_COLUMNS: ClassVar[tuple[str, ...]] = ("pnc_id",)

    def __post_init__(self) -> None:
        self._ids: pa.Array | None = None
        self._born: pd.DataFrame | None = None

    @classmethod
    def from_extract(cls, extract) -> FrameSensitive:
        """From `helpers.extracts.reading.Extract` (loaded with `personal_data=True` for the names)."""
        frames = [extract.people]
        personal = extract.store.personal()
        if personal is not None:  # names and dates of birth, as their own rows
            frames.append(personal.to_pandas())
        charges = getattr(extract, "charges", None)
        if charges is not None and "person_key" in charges:
            frames.append(charges[["person_key"]])
        return cls(
            crimes=extract.crimes,
            people=pd.concat(frames, ignore_index=True),
            circumstances=extract.circumstances(),
        )

    def _identifier_array(self) -> pa.Array:
        """Every identifier in the frames, as one Arrow array (1M crimes: well under a second)."""
        if self._ids is None:
            parts = []
            for frame, columns in (
                (self.crimes, self.CRIME_COLUMNS),
                (self.people, self.PERSON_COLUMNS),
            ):
                for column in columns:
                    if column in frame:
                        values = pc.utf8_upper(
                            pc.utf8_trim_whitespace(_arrow_strings(frame[column]))
                        )
                        if column.endswith("_key"):  # canonical keys: `CMS:408657`
                            values = pc.replace_substring_regex(
                                values, pattern=r"^[A-Za-z]+:", replacement=""
                            )
                        parts.append(values)
            for column in self.PNC_COLUMNS:
                if column in self.people:
                    parts.append(_normalise_pnc_arrow(_arrow_strings(self.people[column])))
            ids = (
                pa.concat_arrays([p.cast(pa.large_string()) for p in parts])
                if parts
                else pa.array([], pa.large_string())
            )
            self._ids = pc.unique(pc.drop_null(ids))
        return self._ids

    def identifiers_present(self, tokens: set[str]) -> set[str]:
        if not tokens:
            return set()
        candidates = pa.array(sorted(tokens), pa.large_string())
        return set(
            pc.filter(
                candidates, pc.is_in(candidates, value_set=self._identifier_array())
            ).to_pylist()
        )

    def _people_born(self) -> pd.DataFrame:
        if self._born is None:
            people = self.people
            forenames = (
                people["forenames"]
                if "forenames" in people
                else people.get("forename", pd.Series(pd.NA, index=people.index))
            )
            born = pd.DataFrame(
                {
                    "surname": people["surname"]
                    if "surname" in people
                    else pd.Series(pd.NA, index=people.index),
                    "forenames": forenames,
                    "date_of_birth": _as_dates(people["date_of_birth"])
                    if "date_of_birth" in people
                    else pd.Series(pd.NaT, index=people.index),
                }
            )
            self._born = (
                born.dropna(subset=["surname", "date_of_birth"])
                .drop_duplicates()
                .reset_index(drop=True)
            )
        return self._born

    def people_with_dob(self, dates: set[date]) -> pd.DataFrame:
        born = self._people_born()
        wanted = pd.to_datetime(pd.Series(sorted(dates), dtype=object), errors="coerce").dropna()
        found = born.loc[born["date_of_birth"].isin(wanted)].copy()
        found["date_of_birth"] = found["date_of_birth"].dt.date
        return found.reset_index(drop=True)

    def texts(self) -> Iterable[str]:
        texts = self.circumstances
        if texts is None:
            texts = (
                self.crimes["circumstances"]
                if "circumstances" in self.crimes
                else pd.Series([], dtype="string")
            )
        return texts.dropna()  # a Series: the gate reads it straight into Arrow


# --------------------------------------------------------------------------------------------
# Reading the release: each file becomes text segments (for the identifier, name and copied-text
# rules), a table grid (CSV) and the findings that reading alone gives (links, unreadable)


@dataclass
class _Segment:
    """Text to search, and how to say where a position in it is."""

    text: str
    marks: list[tuple[int, str]] | None = None  # (offset, label); None: line numbers
    line0: int = 1

    def locate(self, pos: int) -> str:
        if self.marks is None:
            if not hasattr(self, "_newlines"):
                self._newlines = [m.start() for m in re.finditer("\n", self.text)]
            return f"line {self.line0 + bisect.bisect_left(self._newlines, pos)}"
        if not self.marks:
            return "in the file"
        if not hasattr(self, "_mark_offsets"):
            self._mark_offsets = [m[0] for m in self.marks]
        i = bisect.bisect_right(self._mark_offsets, pos) - 1
        return self.marks[max(i, 0)][1]


@dataclass
class _Content:
    file: str
    segments: list[_Segment] = field(default_factory=list)
    grid: list[list[str]] | None = None  # a CSV table: rows of cells
    header_rows: int = 1
    label_cols: int = 1
    findings: list[Finding] = field(default_factory=list)


HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".svg", ".xml"}


def _decode(data: bytes, file: str) -> tuple[str | None, Finding | None]:
    if b"\x00" in data:
        return None, Finding(
            file, "unreadable", "binary file: the gate cannot read it, so it cannot be released"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, Finding(
            file, "unreadable", f"not UTF-8 text (byte {error.start}): the gate cannot read it"
        )


def _read_path(path: Path, file: str) -> _Content:
    content = _Content(file)
    try:
        data = path.read_bytes()
    except OSError as error:
        content.findings.append(
            Finding(file, "unreadable", f"cannot be opened ({type(error).__name__})")
        )
        return content
    suffix = path.suffix.lower()
    if suffix == ".pdf" or data.startswith(b"%PDF-"):
        _read_pdf(path, data, content)
        return content
    text, problem = _decode(data, file)
    if problem:
        content.findings.append(problem)
        return content
    if suffix in HTML_SUFFIXES:
        _read_html(text, content)
    elif suffix == ".csv":
        _read_csv(text, content)
    elif suffix == ".json":
        _read_json(text, content)
    elif suffix == ".css":
        content.segments.append(_Segment(text))
        content.findings += [
            Finding(file, "external_link", f"{what} (line {line})")
            for line, what in _css_links(text, 1)
        ]
    else:  # any other text: searched as it is
        content.segments.append(_Segment(text))
    return content


# ---- HTML

_COMMENT_DELIMS = re.compile(r"<!--|-->")
_TAG = re.compile(r"<(/?)([A-Za-z!?][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_ATTR = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?", re.S)
_DATA_URI = re.compile(
    r"data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+(?:=[\w.+-]+)?)*),([^\"'()\s<>]*)", re.I
)
_RAW_TEXT_ELEMENT = re.compile(
    r"<(script|style)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>(.*?)</\1\s*>", re.S | re.I
)
_ABSOLUTE_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//|^\s*\\\\", re.I)
_ANY_URL = re.compile(r"\b(?:https?|ftps?|file)://|(?<![\w:/])//[\w-]+\.[\w.-]+", re.I)
URL_ATTRIBUTES = {
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "longdesc",
    "manifest",
    "xlink:href",
    "ping",
    "codebase",
    "archive",
    "icon",
    "lowsrc",
    "dynsrc",
    "profile",
    "usemap",
    "imagesrcset",
}
_TEXT_DATA_TYPES = re.compile(r"^(text/|image/svg|application/(json|xml|xhtml|javascript))", re.I)


def _line_at(text: str, pos: int, line0: int = 1) -> int:
    return line0 + text.count("\n", 0, pos)


class _Lines:
    """Line numbers of positions in one text, by binary search (many look-ups, one scan)."""

    def __init__(self, text: str, line0: int = 1):
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.line0 = line0

    def __call__(self, pos: int) -> int:
        return self.line0 + bisect.bisect_left(self.newlines, pos)


def _strip_data_payloads(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Drop `data:` payloads (base64 PNG charts: megabytes of noise), keeping line breaks; return
    the decoded text of text-like ones (SVG, HTML, JSON...) to be checked as well."""
    decoded: list[tuple[str, str]] = []

    def keep_prefix(match: re.Match) -> str:
        media, params, payload = (
            match.group(1) or "text/plain",
            match.group(2) or "",
            match.group(3),
        )
        if _TEXT_DATA_TYPES.match(media):
            try:
                raw = (
                    base64.b64decode(re.sub(r"\s+", "", payload), validate=False)
                    if ";base64" in params.lower()
                    else urllib.parse.unquote_to_bytes(payload)
                )
                decoded.append((media.lower(), raw.decode("utf-8", errors="replace")))
            except (binascii.Error, ValueError):
                decoded.append((media.lower(), payload))
        return f"data:{match.group(1) or ''}{params}," + "\n" * payload.count("\n")

    return _DATA_URI.sub(keep_prefix, text), decoded


def _is_external(url: str) -> bool:
    return bool(_ABSOLUTE_URL.match(html.unescape(url)))


def _describe_url(url: str) -> str:
    url = html.unescape(url).strip()
    host = (
        urllib.parse.urlsplit(url if "//" in url[:12] else "//" + url).hostname
        if _is_external(url)
        else None
    )
    return host or "a file outside the page"


def _css_links(css: str, line0: int) -> list[tuple[int, str]]:
    """External or non-embedded resources in CSS: @import, url(...) that is not data:/#, URLs."""
    found = []
    css = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), css, flags=re.S)
    for m in re.finditer(r"@import\s+(url\(\s*)?([\"']?)([^\"')\s;]*)", css, re.I):
        if not m.group(3).lower().startswith("data:"):
            found.append(
                (_line_at(css, m.start(), line0), f"CSS @import of {_describe_url(m.group(3))}")
            )
    for m in re.finditer(r"url\(\s*([\"']?)(.*?)\1\s*\)", css, re.I | re.S):
        target = m.group(2).strip()
        if target and not target.lower().startswith("data:") and not target.startswith("#"):
            found.append(
                (_line_at(css, m.start(), line0), f"CSS url() loading {_describe_url(target)}")
            )
    urls = {line for line, _ in found}
    for m in _ANY_URL.finditer(css):
        line = _line_at(css, m.start(), line0)
        if line not in urls:
            found.append((line, "an absolute URL in CSS"))
    return found


def _html_links(text: str) -> list[tuple[int, str]]:
    """(line, what) for every reference to a resource outside the page (see the module doc)."""
    found: list[tuple[int, str]] = []
    line_at = _Lines(text)
    for m in _TAG.finditer(text):
        closing, name, attr_text = m.group(1), m.group(2).lower(), m.group(3)
        if closing or name.startswith(("!", "?")):
            continue
        line = line_at(m.start())
        attrs: dict[str, str] = {}
        for a in _ATTR.finditer(attr_text):
            value = a.group(2) or ""
            if value[:1] in "\"'":
                value = value[1:-1]
            attrs.setdefault(a.group(1).lower(), html.unescape(value).strip())
        for attr, value in attrs.items():
            is_data = value.lower().startswith("data:")
            if name == "script" and attr == "src" and value and not is_data:
                found.append((line, f"<script src> loading {_describe_url(value)}"))
            elif name == "link" and attr in {"href", "imagesrcset"} and value and not is_data:
                found.append((line, f"<link href> to {_describe_url(value)}"))
            elif (
                attr in {"src", "lowsrc", "dynsrc", "poster", "background"}
                and value
                and not is_data
                and not value.startswith("#")
            ):
                found.append((line, f"<{name} {attr}> loading {_describe_url(value)}"))
            elif attr in {"srcset", "imagesrcset"}:
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url and not url.lower().startswith("data:"):
                        found.append((line, f"<{name} srcset> loading {_describe_url(url)}"))
                        break
            elif attr in URL_ATTRIBUTES and _is_external(value):
                found.append((line, f"<{name} {attr}> to {_describe_url(value)}"))
            elif attr == "style":
                found += [(line, what) for _, what in _css_links(value, line)]
        if (
            name == "meta"
            and attrs.get("http-equiv", "").lower() == "refresh"
            and "url" in attrs.get("content", "").lower()
        ):
            found.append((line, "<meta refresh> to another address"))
    for m in _RAW_TEXT_ELEMENT.finditer(text):
        kind, body = m.group(1).lower(), m.group(3)
        line0 = line_at(m.start(3))
        if kind == "style":
            found += _css_links(body, line0)
        else:
            found += [
                (_line_at(body, u.start(), line0), "an absolute URL inside a <script>")
                for u in _ANY_URL.finditer(body)
            ]
    return sorted(set(found))


#: an SVG's drawing: where things are and how they look. Not read, as a PNG's pixels are not (its
#: coordinates, `44.878242`, are runs of digits that can be anyone's nominal number); the words it
#: shows (`<text>`, `<title>`, `<desc>`) and its other attributes (`aria-label`...) are
SVG_DRAWING_ATTRIBUTES = frozenset(
    "d x y x1 x2 y1 y2 cx cy r rx ry dx dy points transform width height viewbox style id class "
    "clip-path fill stroke stroke-width opacity offset patternunits version".split()
)


def _html_segments(text: str, drawing: frozenset[str] = frozenset()) -> list[_Segment]:
    """The page's text (tags blanked out, entities decoded, comments kept: the source is
    published too) and, separately, its attribute values (alt, title, id...) but for the
    `drawing` attributes (lower case)."""
    text = _COMMENT_DELIMS.sub(lambda m: " " * len(m.group(0)), text)
    pieces, attributes, marks, last = [], [], [], 0
    attr_offset = 0
    line_at = _Lines(text)
    for m in _TAG.finditer(text):
        pieces.append(html.unescape(text[last : m.start()]))
        pieces.append(" " + "\n" * m.group(0).count("\n") + " ")
        last = m.end()
        line = line_at(m.start())
        for a in _ATTR.finditer(m.group(3)):
            if a.group(1).lower() in drawing:
                continue
            value = a.group(2) or ""
            if value[:1] in "\"'":
                value = value[1:-1]
            value = html.unescape(value)
            if value.strip():
                marks.append((attr_offset, f"line {line} (attribute {a.group(1).lower()})"))
                attributes.append(value)
                attr_offset += len(value) + 1
    pieces.append(html.unescape(text[last:]))
    segments = [_Segment("".join(pieces))]
    if attributes:
        segments.append(_Segment("\n".join(attributes), marks))
    return segments


def _read_html(text: str, content: _Content) -> None:
    text, embedded = _strip_data_payloads(text)
    content.findings += [
        Finding(content.file, "external_link", f"{what} (line {line})")
        for line, what in _html_links(text)
    ]
    content.segments += _html_segments(text)
    for media, body in embedded:
        if "svg" in media or "html" in media or "xml" in media:
            links = _html_links(body)
            content.findings += [
                Finding(
                    content.file, "external_link", f"{what} (inside an embedded {media} data: URI)"
                )
                for _, what in links
            ]
            for segment in _html_segments(
                body, SVG_DRAWING_ATTRIBUTES if "svg" in media else frozenset()
            ):
                content.segments.append(
                    _Segment(segment.text, [(0, f"inside an embedded {media} data: URI")])
                )
        else:
            content.segments.append(_Segment(body, [(0, f"inside an embedded {media} data: URI")]))


# ---- CSV and JSON

_FORMULA = re.compile(r"^\s*(=|@|[+-]\s*[A-Za-z(])")
_FORMULA_WEB = re.compile(
    r"https?:|//|HYPERLINK|WEBSERVICE|IMPORT(DATA|XML|HTML|FEED|RANGE)|FILTERXML|RTD|DDE", re.I
)


def _read_csv(text: str, content: _Content) -> None:
    content.segments.append(_Segment(text))
    try:
        grid = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        content.findings.append(
            Finding(content.file, "unreadable", f"not a readable CSV table ({error})")
        )
        return
    content.grid = grid
    for r, row in enumerate(grid, start=1):
        for c, cell in enumerate(row, start=1):
            if _FORMULA.match(cell) and _FORMULA_WEB.search(cell):
                content.findings.append(
                    Finding(
                        content.file,
                        "external_link",
                        f"row {r}, column {c}: a spreadsheet formula that reaches outside the file",
                    )
                )


def _json_scalars(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}/{key}" if path else str(key)
            yield sub, str(key)
            yield from _json_scalars(item, sub)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_scalars(item, f"{path}[{i}]")
    elif value is not None and not isinstance(value, bool):
        yield path, str(value)


def _read_json(text: str, content: _Content) -> None:
    try:
        document = json.loads(text)
    except ValueError as error:
        content.findings.append(
            Finding(
                content.file,
                "unreadable",
                f"not valid JSON ({type(error).__name__} at line {getattr(error, 'lineno', '?')})",
            )
        )
        content.segments.append(_Segment(text))
        return
    parts, marks, offset = [], [], 0
    for path, scalar in _json_scalars(document, ""):
        marks.append((offset, f"at {path or 'the top level'}"))
        parts.append(scalar)
        offset += len(scalar) + 1
    content.segments.append(_Segment("\n".join(parts), marks))


# ---- PDF

_PDF_ACTIONS = ("/URI", "/Launch", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData", "/JavaScript")
_PDF_RAW_ACTION = re.compile(
    rb"/(URI|Launch|GoToR|GoToE|SubmitForm|ImportData|JavaScript)(?![A-Za-z])"
)


def _pdf_walk(reader) -> tuple[set[str], bool]:
    """Every action kind found (walking all objects from the trailer) and whether the PDF embeds
    files. Stream data is not decoded; dictionaries and arrays are."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    actions: set[str] = set()
    embeds = False
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                obj = obj.get_object()
            except Exception:  # a broken reference: nothing to follow
                continue
        if isinstance(obj, DictionaryObject):
            kind = obj.get("/S")
            if kind in _PDF_ACTIONS:
                actions.add(str(kind))
            if "/URI" in obj:
                actions.add("/URI")
            if "/JS" in obj or "/JavaScript" in obj:
                actions.add("/JavaScript")
            if (
                "/EmbeddedFiles" in obj
                or obj.get("/Type") == "/EmbeddedFile"
                or obj.get("/Type") == "/Filespec"
            ):
                embeds = True
            stack.extend(v for k, v in obj.items() if k not in ("/Parent", "/P"))
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return actions, embeds


def _pdf_text_pypdf(path: Path) -> tuple[list[str], list[str], set[str], bool]:
    """Page texts, metadata texts, action kinds, embeds-files (pypdf)."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted")
    pages = [page.extract_text() or "" for page in reader.pages]
    meta = [str(v) for v in (reader.metadata or {}).values()]
    actions, embeds = _pdf_walk(reader)
    return pages, meta, actions, embeds


def _pdf_text_pdftotext(path: Path) -> list[str]:
    exe = shutil.which("pdftotext")
    if not exe:
        raise FileNotFoundError("no PDF text extractor: install pypdf (or poppler's pdftotext)")
    out = subprocess.run(
        [exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=120
    )
    return out.stdout.decode("utf-8", errors="replace").split("\f")


def _read_pdf(path: Path, data: bytes, content: _Content) -> None:
    file = content.file
    raw_actions = {"/" + m.decode() for m in _PDF_RAW_ACTION.findall(data)}
    try:
        import pypdf  # noqa: F401

        have_pypdf = True
    except ImportError:
        have_pypdf = False
    try:
        if have_pypdf:
            pages, meta, actions, embeds = _pdf_text_pypdf(path)
        else:
            pages, meta, actions, embeds = (
                _pdf_text_pdftotext(path),
                [],
                set(),
                b"/EmbeddedFile" in data,
            )
    except Exception as error:  # any failure to read is a reason not to release
        content.findings.append(
            Finding(
                file,
                "unreadable",
                f"PDF text could not be extracted ({type(error).__name__}: {str(error)[:80]})",
            )
        )
        return
    for action in sorted(actions | raw_actions):
        what = (
            "a link (/URI action) to an outside address"
            if action == "/URI"
            else f"a {action} action"
        )
        content.findings.append(Finding(file, "external_link", what))
    if embeds:
        content.findings.append(
            Finding(file, "unreadable", "the PDF embeds files the gate cannot check")
        )
    if not any(p.strip() for p in pages) and pages:
        content.findings.append(
            Finding(file, "unreadable", "no text could be extracted from the PDF")
        )
    text, marks = "", []
    for n, page in enumerate(pages, start=1):
        marks.append((len(text), f"page {n}"))
        text += page + "\n"
    content.segments.append(_Segment(text, marks))
    if meta:
        content.segments.append(_Segment("\n".join(meta), [(0, "in the PDF's metadata")]))


# --------------------------------------------------------------------------------------------
# Rule (a): identifiers

_ID_TOKEN = re.compile(r"(?:[^\W_]|/)+")
_SPACED_PNC = re.compile(r"(?<![\w/])(\d{2}|\d{4})\s*/\s*(\d{1,9})\s?([A-Za-z])(?![\w/])")
_PNC_NORMAL = re.compile(r"\d{2}/\d+[A-Z]")


def _identifier_kind(key: str) -> str:
    if re.fullmatch(r"CM/\d{2}/\d{7}", key) or re.fullmatch(r"\d{8}/\d{2}", key):
        return "crime reference"
    if key.startswith("PER"):
        return "person ID"
    if key.isdigit():
        return "nominal number"
    if _PNC_NORMAL.fullmatch(key):
        return "PNC ID"
    return "identifier"


def _mask(value: str) -> str:
    """Enough of a value to find it again, not enough to disclose it: `CM/13/0000001` -> `CM/1…`."""
    return value[: max(1, min(4, len(value) // 3))] + "…"


def _candidate_keys(token: str) -> set[str]:
    token = token.strip("/").upper()
    keys = set()
    for part in {token, *token.split("/")}:
        if len(part) >= 6 and any(ch.isdigit() for ch in part):
            keys.add(part)
    pnc = normalise_pnc(token) if _PNC.fullmatch(token) else None
    if pnc:
        keys.add(pnc)
    return keys


def _identifier_occurrences(content: _Content) -> dict[str, tuple[str, int, str]]:
    """key -> (where first seen, times seen, the text as written) for one file."""
    seen: dict[str, tuple[str, int, str]] = {}

    def note(key: str, segment: _Segment, pos: int, written: str) -> None:
        if key in seen:
            where, count, first = seen[key]
            seen[key] = (where, count + 1, first)
        else:
            seen[key] = (segment.locate(pos), 1, written)

    for segment in content.segments:
        for m in _ID_TOKEN.finditer(segment.text):
            token = m.group(0)
            if len(token) < 5 or not any(ch.isdigit() for ch in token):
                continue
            for key in _candidate_keys(token):
                note(key, segment, m.start(), token.strip("/"))
        for m in _SPACED_PNC.finditer(segment.text):
            if re.search(r"\s", m.group(0)):  # the unspaced ones are tokens already
                note(
                    f"{m.group(1)[-2:]}/{int(m.group(2))}{m.group(3).upper()}",
                    segment,
                    m.start(),
                    m.group(0),
                )
    return seen


def _identifier_findings(contents: list[_Content], sensitive: Sensitive) -> list[list[Finding]]:
    occurrences = [_identifier_occurrences(c) for c in contents]
    candidates = set().union(*[set(o) for o in occurrences]) if occurrences else set()
    present = set(sensitive.identifiers_present(candidates)) if candidates else set()
    result = []
    for content, seen in zip(contents, occurrences):
        findings = []
        for key in [k for k in seen if k in present]:  # in the order they first appear
            where, count, written = seen[key]
            more = f", and {count - 1} more time{'s' if count > 2 else ''}" if count > 1 else ""
            findings.append(
                Finding(
                    content.file,
                    "identifier",
                    f"{_identifier_kind(key)} {_mask(written)} at {where}{more}",
                )
            )
        result.append(findings)
    return result


# --------------------------------------------------------------------------------------------
# Rule (b): names with dates of birth

_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = [
    (
        "dd/mm/yyyy",
        re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/-]|\.\d)"),
    ),
    (
        "yyyy-mm-dd",
        re.compile(r"(?<![\w/.-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?:(?=T\d)|(?![\w/-]|\.\d))"),
    ),
    (
        "d Month yyyy",
        re.compile(
            r"(?<![\w])(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4})(?!\w)",
            re.I,
        ),
    ),
    (
        "Month d, yyyy",
        re.compile(r"(?<![\w])" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\w)", re.I),
    ),
]
_WORD = re.compile(r"[^\W_]+")


def _make_dates(year: str, month: int, day: int) -> list[date]:
    years = [int(year)] if len(year) == 4 else [1900 + int(year), 2000 + int(year)]
    out = []
    for y in years:
        try:
            out.append(date(y, month, day))
        except ValueError:
            pass
    return out


def _dates_in(text: str) -> list[tuple[int, int, list[date], str]]:
    """(start, end, possible dates, format) for every date written in the text."""
    found = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            g = m.groups()
            if kind == "dd/mm/yyyy":
                dates = _make_dates(g[3], int(g[2]), int(g[0]))
            elif kind == "yyyy-mm-dd":
                dates = _make_dates(g[0], int(g[2]), int(g[3]))
            elif kind == "d Month yyyy":
                dates = _make_dates(g[2], _MONTHS[g[1].lower()], int(g[0]))
            else:
                dates = _make_dates(g[2], _MONTHS[g[0].lower()], int(g[1]))
            dates = [d for d in dates if DOB_YEARS[0] <= d.year <= DOB_YEARS[1]]
            if dates:
                found.append((m.start(), m.end(), dates, kind))
    return found


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a word: `SIOBHÁN` -> `siobhan`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _name_words(name: object) -> tuple[str, ...]:
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ()
    return tuple(_fold(w) for w in _WORD.findall(unicodedata.normalize("NFC", str(name))))


def _name_findings(contents: list[_Content], sensitive: Sensitive) -> list[list[Finding]]:
    prepared = []  # per content: list of (segment, words, folded words, starts, dates found)
    all_dates: set[date] = set()
    for content in contents:
        per_segment = []
        for segment in content.segments:
            text = unicodedata.normalize("NFC", segment.text)
            dates = _dates_in(text)
            if not dates:
                continue
            words = list(_WORD.finditer(text))
            per_segment.append(
                (
                    segment,
                    text,
                    words,
                    [_fold(w.group(0)) for w in words],
                    [w.start() for w in words],
                    dates,
                )
            )
            for *_, ds, _ in dates:
                all_dates.update(ds)
        prepared.append(per_segment)
    result: list[list[Finding]] = [[] for _ in contents]
    if not all_dates:
        return result
    people = sensitive.people_with_dob(all_dates)
    if people is None or len(people) == 0:
        return result
    by_date: dict[date, list[tuple[tuple[str, ...], set[str]]]] = {}
    for row in people.itertuples(index=False):
        dob = pd.Timestamp(row.date_of_birth).date()
        surname = _name_words(row.surname)
        if surname:
            by_date.setdefault(dob, []).append(
                (surname, set(_name_words(getattr(row, "forenames", None))))
            )
    for i, (content, per_segment) in enumerate(zip(contents, prepared)):
        reported: set[tuple[str, str]] = set()
        for segment, text, words, folded, starts, dates in per_segment:
            for start, end, ds, kind in dates:
                people_here = [p for d in ds for p in by_date.get(d, [])]
                if not people_here:
                    continue
                first = bisect.bisect_left(starts, start)
                last = bisect.bisect_left(starts, end)  # words [first, last) are the date itself
                lo, hi = max(0, first - NAME_WINDOW), min(len(words), last + NAME_WINDOW)
                window = [j for j in range(lo, hi) if not first <= j < last]
                for surname, forenames in people_here:
                    n = len(surname)
                    for j in window:
                        if tuple(folded[j : j + n]) != surname or any(
                            first <= k < last for k in range(j, j + n)
                        ):
                            continue
                        written = words[j].group(0)
                        with_forename = any(
                            folded[k] in forenames for k in window if not j <= k < j + n
                        )
                        if written.islower() and not with_forename:
                            continue
                        where = segment.locate(start)
                        if (where, surname) in reported:
                            break
                        reported.add((where, surname))
                        who = "forename and surname" if with_forename else "surname"
                        result[i].append(
                            Finding(
                                content.file,
                                "name_with_dob",
                                f"{who} {_mask(written)} near that person's date of birth (written like {kind}) at {where}",
                            )
                        )
                        break
    return result


# --------------------------------------------------------------------------------------------
# Rule (c): runs of words copied from circumstances texts
#
# Words are runs of ASCII letters and digits, lower-cased; anything else (spaces, punctuation,
# markup, and any non-ASCII character: curly quotes, dashes, accented letters) separates words.
# Both sides are tokenised by the same Arrow kernel, so they always agree.

_SPLIT_WORDS = r"[^a-z0-9]+"  # RE2, after ascii_lower
_BITMAP_BITS = 20
_PY_WORD = re.compile(r"[A-Za-z0-9]+")  # the same words, with positions (release side only)
_ASCII_LOWER = np.arange(256, dtype=np.uint8)
_ASCII_LOWER[ord("A") : ord("Z") + 1] += 32
_WORD_BYTE = np.zeros(256, bool)  # the bytes of words: A-Z, a-z and 0-9
for _first, _last in ("AZ", "az", "09"):
    _WORD_BYTE[ord(_first) : ord(_last) + 1] = True
_HASH_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=np.uint64,
)


def _arrow_words(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """All words of all texts, flattened (with empty pieces where a text starts or ends with a
    separator), and how many pieces each text has (a null text: none).

    What Arrow's regular-expression split of the lower-cased texts on `_SPLIT_WORDS` gives
    (`_regex_words`, which the tests hold this to), worked out on the texts' bytes with numpy:
    the split calls RE2 once per separator, 23 ms for request 20180075's 3,218 texts (500 kB),
    this 7 ms. A byte of a non-ASCII character is a separator byte, as its character is a
    separator.
    """
    texts = texts.cast(pa.large_string())
    n = len(texts)
    valid = ~texts.is_null().to_numpy(zero_copy_only=False)
    offsets = (
        np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset : texts.offset + n + 1]
        if n
        else np.zeros(1, np.int64)
    )
    start, total = int(offsets[0]), int(offsets[-1] - offsets[0])  # a slice's bytes, in the buffer
    offsets = offsets - start
    sizes = np.diff(offsets)
    if (sizes[~valid] > 0).any():  # a null with bytes behind it (Arrow allows it; never made here)
        return _regex_words(texts)
    data = (
        np.frombuffer(texts.buffers()[2], dtype=np.uint8)[start : start + total]
        if total
        else np.zeros(0, np.uint8)
    )
    word = _WORD_BYTE[data]

    # the words: runs of word bytes, cut where a text ends
    starts_here, ends_here = word.copy(), word.copy()
    starts_here[1:] &= ~word[:-1]
    ends_here[:-1] &= ~word[1:]
    inner = offsets[1:-1][(offsets[1:-1] > 0) & (offsets[1:-1] < total)]
    starts_here[inner] = word[inner]
    ends_here[inner - 1] = word[inner - 1]
    word_starts = np.flatnonzero(starts_here)
    word_sizes = np.flatnonzero(ends_here) + 1 - word_starts
    text_of_word = np.searchsorted(offsets, word_starts, side="right") - 1
    words_per_text = np.bincount(text_of_word, minlength=n)

    # the empty pieces: one where a text starts with a separator (an empty text is just that),
    # one where it ends with one
    nonempty = sizes > 0
    starts_with_word, ends_with_word = np.zeros(n, bool), np.zeros(n, bool)
    starts_with_word[nonempty] = word[offsets[:-1][nonempty]]
    ends_with_word[nonempty] = word[offsets[1:][nonempty] - 1]
    lead = valid & ~starts_with_word
    trail = valid & nonempty & ~ends_with_word
    lengths = lead.astype(np.int64) + words_per_text + trail

    # each word's piece: its text's first piece, after that text's leading empty piece and its
    # earlier words
    first_piece = np.cumsum(lengths) - lengths
    first_word = np.cumsum(words_per_text) - words_per_text
    piece = (
        first_piece[text_of_word]
        + lead[text_of_word]
        + np.arange(len(word_starts))
        - first_word[text_of_word]
    )
    piece_sizes = np.zeros(int(lengths.sum()), np.int64)
    piece_sizes[piece] = word_sizes
    piece_offsets = np.concatenate([[0], np.cumsum(piece_sizes)])
    flat = pa.LargeStringArray.from_buffers(
        len(piece_sizes),
        pa.py_buffer(piece_offsets),
        pa.py_buffer(_ASCII_LOWER[data[word]].tobytes()),
    )
    return flat, lengths


def _regex_words(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """`_arrow_words` by Arrow's own split: the definition the numpy version is tested against."""
    split = pc.split_pattern_regex(
        pc.ascii_lower(texts.cast(pa.large_string())), pattern=_SPLIT_WORDS
    )
    lengths = (
        pc.list_value_length(split).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    )
    return pc.list_flatten(split), lengths


def _windows(ids: np.ndarray, lengths: np.ndarray, salt: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Every run of COPY_RUN known words inside one text: (start positions, hashes).

    `ids` are word numbers, -1 for a word the release does not have (or an empty piece); a
    window is kept when it holds no -1 and does not run from one text into the next."""
    n = len(ids)
    if n < COPY_RUN:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    m = n - COPY_RUN + 1
    # one cumulative count of "breaks": an unknown word anywhere in the window, or a text
    # starting anywhere in it but at its first word
    first_pieces = np.cumsum(lengths)[:-1]
    is_first = np.zeros(n, np.int32)
    is_first[first_pieces[first_pieces < n]] = 1
    total = np.concatenate([[0], np.cumsum((ids < 0) + is_first)])
    ok = (total[COPY_RUN:] - total[:m] - is_first[:m]) == 0
    starts = np.flatnonzero(ok)
    # hash by doubling: pairs, fours, eights (3 multiply-adds over the words, not 8)
    multipliers = _HASH_MULTIPLIERS ^ np.uint64(salt)
    h = ids.view(np.uint64) * multipliers[0] + multipliers[1]
    for step, k in ((1, 2), (2, 4), (4, 6)):
        h = h[:-step] * multipliers[k] + (h[step:] ^ multipliers[k + 1])
    return starts, h[starts]


def _text_numbers(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which text each piece position belongs to."""
    return np.searchsorted(np.cumsum(lengths), starts, side="right")


@dataclass
class _ShingleIndex:
    """The release's distinct 8-word runs: word numbers, hashes (sorted), and where each occurs
    (`places`, worked out only for the runs a text is found to share: usually none)."""

    vocabulary: pa.Array
    hashes: np.ndarray  # (M,) uint64, sorted, distinct
    words: np.ndarray  # (M, COPY_RUN) word numbers, in the order of `hashes`
    salt: int
    _occurrences: tuple = field(
        repr=False
    )  # what `places` needs: each window's start and run, the texts

    def __post_init__(self) -> None:
        # a 1M-bit table of the hashes' top bits: most windows are dismissed by one look-up (a
        # release has thousands of runs, so few of the table's bits are set)
        self.bitmap = np.zeros(1 << _BITMAP_BITS, bool)
        self.bitmap[self.hashes >> np.uint64(64 - _BITMAP_BITS)] = True

    def places(self, rows: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """For each run (row of `hashes`) asked for: (content index, where) of its first place in
        each content, in the release's order."""
        starts, run_of_window, pieces, lengths, owners = self._occurrences
        wanted = sorted({int(r) for r in rows})
        places: dict[int, list[tuple[int, str]]] = {r: [] for r in wanted}
        chosen = np.isin(run_of_window, wanted)
        if not chosen.any():
            return places
        # where each run occurs: the first place in each file (Python words give the positions)
        text_of = _text_numbers(np.arange(len(pieces)), lengths)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        nonempty_rank = np.cumsum([bool(w) for w in pieces]) - 1
        positions: dict[int, list[int]] = {}
        for s, run in zip(starts[chosen].tolist(), run_of_window[chosen].tolist()):
            t = int(text_of[s])
            content_index, segment = owners[t]
            here = places[run]
            if any(ci == content_index for ci, _ in here):
                continue
            if t not in positions:
                positions[t] = [m.start() for m in _PY_WORD.finditer(segment.text)]
            k = int(
                nonempty_rank[s] - (nonempty_rank[offsets[t] - 1] if offsets[t] > 0 else -1) - 1
            )
            pos = positions[t][k] if 0 <= k < len(positions[t]) else 0
            here.append((content_index, segment.locate(pos)))
        return places


def _release_shingles(contents: list[_Content]) -> _ShingleIndex | None:
    owners, texts = [], []
    for i, content in enumerate(contents):
        for segment in content.segments:
            owners.append((i, segment))
            texts.append(segment.text)
    if not texts:
        return None
    flat, lengths = _arrow_words(pa.array(texts, pa.large_string()))
    pieces = flat.to_pylist()
    vocabulary = sorted({w for w in pieces if w})
    if not vocabulary:
        return None
    number = {w: k for k, w in enumerate(vocabulary)}
    ids = np.array([number.get(w, -1) for w in pieces], dtype=np.int64)
    for salt in range(16):  # a new salt in the (~1e-10) case of two release runs with one hash
        starts, hashes = _windows(ids, lengths, salt)
        if not len(starts):
            return None
        windows = np.stack([ids[starts + k] for k in range(COPY_RUN)], axis=1)
        distinct, first, inverse = np.unique(
            windows, axis=0, return_index=True, return_inverse=True
        )
        if len(np.unique(hashes[first])) == len(distinct):
            break
    else:  # pragma: no cover - astronomically unlikely
        raise RuntimeError("could not hash the release's word runs without collisions")
    order = np.argsort(hashes[first], kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    run_of_window = rank[np.asarray(inverse).reshape(-1)]  # each window's row in hash order
    return _ShingleIndex(
        pa.array(vocabulary, pa.large_string()),
        hashes[first][order],
        distinct[order],
        salt,
        (starts, run_of_window, pieces, lengths, owners),
    )


def _text_chunks(texts: Iterable[str], size: int) -> Iterator[pa.Array]:
    """The texts as Arrow string arrays of `size` (a string Series is read without copying)."""
    if isinstance(texts, pd.Series) and (
        pd.api.types.is_string_dtype(texts.dtype) and not texts.dtype == object
    ):
        values = texts.array
        array = (
            pa.array(values)
            if hasattr(values, "__arrow_array__")
            else pa.array(texts.tolist(), pa.large_string())
        )
        array = array.cast(pa.large_string())
        for start in range(0, len(array), size):
            yield array.slice(start, size)
        return
    chunk: list = []
    for text in texts:
        chunk.append(text if isinstance(text, str) else None)
        if len(chunk) >= size:
            yield pa.array(chunk, pa.large_string())
            chunk = []
    if chunk:
        yield pa.array(chunk, pa.large_string())


def find_copied_runs(
    texts: Iterable[str], index: _ShingleIndex, chunk_size: int = TEXT_CHUNK
) -> pd.DataFrame:
    """Which texts share which of the release's 8-word runs: columns `text` (number, in `texts`
    order) and `shingle` (row of `index`), one row per pair. Exact: a hash hit counts only when
    its eight word numbers equal the release run's."""
    found = []
    base = 0
    for array in _text_chunks(texts, chunk_size):
        flat, lengths = _arrow_words(array)
        ids = (
            pc.index_in(flat, value_set=index.vocabulary)
            .fill_null(-1)
            .to_numpy(zero_copy_only=False)
            .astype(np.int64)
        )
        starts, hashes = _windows(ids, lengths, index.salt)
        maybe = index.bitmap[hashes >> np.uint64(64 - _BITMAP_BITS)]
        starts, hashes = starts[maybe], hashes[maybe]
        if len(starts):
            pos = np.searchsorted(index.hashes, hashes)
            pos[pos == len(index.hashes)] = 0
            hit = index.hashes[pos] == hashes
            starts, pos = starts[hit], pos[hit]
            exact = np.ones(len(starts), bool)
            for k in range(COPY_RUN):
                exact &= ids[starts + k] == index.words[pos, k]
            if exact.any():
                texts_hit = base + _text_numbers(starts[exact], lengths)
                found.append(
                    pd.DataFrame({"text": texts_hit, "shingle": pos[exact]}).drop_duplicates()
                )
        base += len(array)
    if not found:
        return pd.DataFrame(
            {"text": pd.Series([], dtype=np.int64), "shingle": pd.Series([], dtype=np.int64)}
        )
    return pd.concat(found, ignore_index=True)


def _copied_findings(contents: list[_Content], sensitive: Sensitive) -> list[list[Finding]]:
    result: list[list[Finding]] = [[] for _ in contents]
    index = _release_shingles(contents)
    if index is None:
        return result
    pairs = find_copied_runs(sensitive.texts(), index)
    if pairs.empty:
        return result
    places = index.places(pairs["shingle"].unique())
    rows = [
        (content_index, where, text, shingle)
        for shingle, text in zip(pairs["shingle"].tolist(), pairs["text"].tolist())
        for content_index, where in places[shingle]
    ]
    frame = pd.DataFrame(rows, columns=["content", "where", "text", "shingle"])
    first_at = frame.groupby(["content", "where"])["shingle"].min().sort_values()
    for (content_index, where), _ in first_at.items():
        texts = frame.loc[(frame["content"] == content_index) & (frame["where"] == where), "text"]
        n, first = texts.nunique(), int(texts.min()) + 1
        source = (
            f"circumstances text no. {first} of those checked"
            if n == 1
            else f"{n} circumstances texts (the first: no. {first} of those checked)"
        )
        result[content_index].append(
            Finding(
                contents[content_index].file,
                "copied_text",
                f"a run of {COPY_RUN} or more words at {where} copied from {source}",
            )
        )
    return result


# --------------------------------------------------------------------------------------------
# Rule (d): small counts in tables

_COUNT = re.compile(
    r"^\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*[*†‡]*\s*(?:\([^()]*\))?\s*$"
)
_NARROWER = re.compile(r"^\s*<\s*(\d+)\s*$")


def _small_count_findings(content: _Content, threshold: int) -> list[Finding]:
    grid = content.grid or []
    findings = []
    fine = {f"<{threshold}", SUPPRESSED_MARK}
    header = grid[content.header_rows - 1] if len(grid) >= content.header_rows else []
    for r in range(content.header_rows, len(grid)):
        row = grid[r]
        for c in range(content.label_cols, len(row)):
            cell = row[c].strip()
            if not cell or cell in fine:
                continue
            small = False
            m = _COUNT.match(cell)
            if m and not m.group(1) == "-" and not (m.group(3) and int(m.group(3)) != 0):
                small = 1 <= int(m.group(2).replace(",", "")) <= threshold - 1
            narrow = _NARROWER.match(cell)
            if narrow and int(narrow.group(1)) < threshold:
                small = True
            if small:
                row_label = " / ".join(row[: content.label_cols]).strip()
                column_label = header[c].strip() if c < len(header) else ""
                findings.append(
                    Finding(
                        content.file,
                        "small_count",
                        f"row {r + 1} ({row_label!r}), column {c + 1} ({column_label!r}): a count from 1 to {threshold - 1} shown",
                    )
                )
    return findings


# --------------------------------------------------------------------------------------------
# The gate


def _check_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of at least 1, not {threshold!r}")
    return int(threshold)


def _run_rules(contents: list[_Content], threshold: int, sensitive: Sensitive | None) -> GateReport:
    per_content: list[list[Finding]] = [list(c.findings) for c in contents]
    for i, content in enumerate(contents):
        if content.grid is not None:
            per_content[i] += _small_count_findings(content, threshold)
    if sensitive is not None:
        # the three look-ups in the extract side by side: each is mostly Arrow and numpy work,
        # outside Python's lock, and after a run's notebook the other core is free
        from concurrent.futures import ThreadPoolExecutor

        rules = (_identifier_findings, _name_findings, _copied_findings)
        with ThreadPoolExecutor(len(rules)) as pool:
            running = [pool.submit(rule, contents, sensitive) for rule in rules]
            for done in running:  # in the rules' order, whichever ends first
                for i, findings in enumerate(done.result()):
                    per_content[i] += findings
    order = {rule: k for k, rule in enumerate(RULES)}
    findings = [f for group in per_content for f in sorted(group, key=lambda f: order[f.rule])]
    return GateReport(findings=findings, files_checked=[c.file for c in contents])


def table_csv(frame: pd.DataFrame) -> str:
    """The CSV text of a released table: the index is the label column unless it is a RangeIndex."""
    grid, _, _ = _grid_for(frame)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(grid)
    return out.getvalue()


def _grid_for(frame: pd.DataFrame) -> tuple[list[list[str]], int, int]:
    keep_index = not isinstance(frame.index, pd.RangeIndex)
    levels = frame.index.nlevels if keep_index else 0
    flat = frame.reset_index() if keep_index else frame
    header_rows = flat.columns.nlevels
    if header_rows > 1:
        header_grid = [
            [str(col[k]) if not str(col[k]).startswith("Unnamed") else "" for col in flat.columns]
            for k in range(header_rows)
        ]
    else:
        header_grid = [
            [
                "" if (c is None or (keep_index and str(c) == "index")) else str(c)
                for c in flat.columns
            ]
        ]

    def cell(v: object) -> str:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return ""
        return str(v)

    body = [[cell(v) for v in row] for row in flat.itertuples(index=False, name=None)]
    return header_grid + body, header_rows, max(levels, 1)


def _table_contents(tables: Mapping[str, pd.DataFrame] | Sequence[Path | str]) -> list[_Content]:
    contents = []
    if isinstance(tables, Mapping):
        for name, frame in tables.items():
            _, header_rows, label_cols = _grid_for(frame)
            content = _Content(str(name), header_rows=header_rows, label_cols=label_cols)
            _read_csv(table_csv(frame), content)  # exactly what write_tables would write
            contents.append(content)
    else:
        for path in tables:
            path = Path(path)
            label = f"{path.parent.name}/{path.name}" if path.parent.name == "tables" else path.name
            contents.append(_read_path(path, label))
    return contents


def check_tables(
    tables: Mapping[str, pd.DataFrame] | Sequence[Path | str],
    threshold: int,
    sensitive: Sensitive | None,
) -> GateReport:
    """The gate on released tables alone: DataFrames (name -> frame, checked as `table_csv`
    writes them) or CSV files. Without `sensitive`, only the small-count (and formula) rules run."""
    threshold = _check_threshold(threshold)
    return _run_rules(_table_contents(tables), threshold, sensitive)


def write_tables(
    tables: Mapping[str, pd.DataFrame], folder: Path, threshold: int, sensitive: Sensitive | None
) -> GateReport:
    """Check the tables, then write each as `<folder>/<name>.csv`; raise ReleaseGateError (and
    write nothing) if the gate finds anything."""
    report = check_tables(tables, threshold, sensitive).raise_if_failed()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        filename = name if str(name).endswith(".csv") else f"{name}.csv"
        (folder / filename).write_text(table_csv(frame), encoding="utf-8", newline="")
    return report


def release_files(release_dir: Path) -> list[Path]:
    """Every file under the release folder (hidden ones too), sorted by relative posix path."""
    release_dir = Path(release_dir)
    return sorted(
        (p for p in release_dir.rglob("*") if p.is_file() or (p.is_symlink() and not p.is_dir())),
        key=lambda p: p.relative_to(release_dir).as_posix(),
    )


def check_release(release_dir: Path, threshold: int, sensitive: Sensitive) -> GateReport:
    """The gate on every file under `release/`: run it last, after the manifest is written."""
    threshold = _check_threshold(threshold)
    release_dir = Path(release_dir)
    if not release_dir.is_dir():
        return GateReport(
            [
                Finding(
                    release_dir.name or str(release_dir),
                    "unreadable",
                    "the release folder does not exist",
                )
            ],
            [],
        )
    contents = [
        _read_path(path, path.relative_to(release_dir).as_posix())
        for path in release_files(release_dir)
    ]
    return _run_rules(contents, threshold, sensitive)


# --------------------------------------------------------------------------------------------
# The manifest


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=str)
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "model_dump"):  # a pydantic model (the request parameters)
        return _jsonable(value.model_dump(mode="json"))
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def write_manifest(
    release_dir: Path,
    *,
    reference: str,
    parameters: dict,
    project_version: str,
    extract_files: dict[str, str],
    run_time: str,
) -> Path:
    """`release/manifest.json`: the request, the parameters used, the project version, the
    SHA-256 of each extract file and of each release file (every file under release/ but the
    manifest itself, by relative posix path), and the time of the run. Keys sorted, indent 1, so
    the same inputs give the same bytes."""
    release_dir = Path(release_dir)
    target = release_dir / MANIFEST
    files = {
        p.relative_to(release_dir).as_posix(): sha256_file(p)
        for p in release_files(release_dir)
        if p != target
    }
    manifest = {
        "request": str(reference),
        "parameters": _jsonable(parameters),
        "project_version": str(project_version),
        "extract_files": {str(k): str(v) for k, v in sorted(extract_files.items())},
        "release_files": dict(sorted(files.items())),
        "run_time": str(run_time),
    }
    target.write_text(
        json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
        newline="\n",
    )
    return target


# --------------------------------------------------------------------------------------------
# What the gate looks for, read from an extract's store (memory or the extract cache)


@dataclass
class _Lookups:
    """What the checks of one extract have read and found (see `ExtractSensitive`)."""

    identifiers: list[tuple[pa.ChunkedArray, bool]] | None = (
        None  # each identifier column; holds `SYSTEM:ref` keys?
    )
    seen: dict[str, bool] = field(
        default_factory=dict
    )  # token (upper case) -> whether it is an identifier
    last_born: tuple[frozenset, pd.DataFrame] | None = None  # the last dates asked about, and who


_LOOKUPS: weakref.WeakKeyDictionary = (
    weakref.WeakKeyDictionary()
)  # an extract's store -> its `_Lookups`


class ExtractSensitive:
    """`Sensitive` over a loaded `helpers.extracts.reading.Extract` (or the cache's `CachedFiles`: no
    frames, its columns read from the cache), without a set of every identifier.

    Each identifier column is compared with the release's few candidate tokens, a column at a
    time (Arrow's `is_in` over a million rows takes milliseconds); the columns, once read, are
    kept for the next check (`prefetch` reads them ahead). Names are read from the store only
    for the dates of birth found in the release. `text_ids` are the crimes whose circumstances
    the run read: the only texts it could have copied.

    What the checks read and find depends on the extract alone, so it is kept with the extract's
    store (`_Lookups`) for every checker of it in the process: the kernel makes a new one for each
    request's tables, the runner one for a batch.
    """

    def __init__(self, extract, text_ids=None):
        if not extract.store.has_personal():  # a gate that cannot see names would pass them
            raise ValueError(
                "the release gate needs the extract loaded with its personal data (names, dates of birth)"
            )
        self.extract = extract
        self.text_ids = text_ids
        self._kept = _LOOKUPS.setdefault(extract.store, _Lookups())

    def prefetch(self) -> ExtractSensitive:
        """Read the columns the checks look in now (the runner does it while the notebook runs)."""
        self._identifier_columns()
        self.extract.store.people_born([])  # the dates of birth: kept by the store for the lookup
        return self

    def _column(self, table: str, name: str) -> pa.Array:
        """A crimes or charges column: from the frame in memory, else read alone from the cache."""
        frame = getattr(self.extract, table, None)
        if isinstance(frame, pd.DataFrame):
            return pa.array(frame[name].array)
        return self.extract.store.column(table, name)

    def _identifier_columns(self) -> list[tuple[pa.ChunkedArray, bool]]:
        """Each identifier column, and whether it holds `SYSTEM:ref` keys."""
        if self._kept.identifiers is None:
            people = self.extract.store.people(["person_key", "legacy_person_key", "pnc_id"])
            self._kept.identifiers = [
                (self._column("crimes", "crime_id"), False),
                (self._column("crimes", "legacy_ref"), False),
                (people["pnc_id"], False),
                (people["person_key"], True),
                (people["legacy_person_key"], True),
                (self._column("charges", "person_key"), True),
            ]
        return self._kept.identifiers

    def identifiers_present(self, tokens: set[str]) -> set[str]:
        """The tokens that are identifiers in the extract. Each token's answer is kept: request
        after request on the same extract, the briefings share most tokens."""
        seen = self._kept.seen
        unknown = {token.upper() for token in tokens} - seen.keys()
        if unknown:
            found = self._identifiers_among(unknown)
            seen.update((token, token in found) for token in unknown)
        return {token for token in tokens if seen[token.upper()]}

    def _identifiers_among(self, upper: set[str]) -> set[str]:
        wanted = pa.array(sorted(upper), pa.string())
        # person keys are stored `SYSTEM:ref`: prefix the tokens rather than strip a million keys
        from helpers.extracts.sources import FORCE_SOURCES

        keyed = pa.array(
            sorted(f"{source.system}:{token}" for source in FORCE_SOURCES for token in upper),
            pa.string(),
        )
        found: set[str] = set()
        for column, is_keyed in self._identifier_columns():
            hits = pc.filter(
                column,
                pc.fill_null(pc.is_in(column, value_set=keyed if is_keyed else wanted), False),
            )
            found.update(
                str(value).split(":", 1)[-1].upper() for value in pc.unique(hits).to_pylist()
            )
        return found & upper

    def people_with_dob(self, dates: set[date]) -> pd.DataFrame:
        """The people born on any of `dates` (kept for the same dates, as `identifiers_present`
        keeps its answers: the briefings of one request after another mostly give the same)."""
        key = frozenset(dates)
        last = self._kept.last_born
        if last is None or last[0] != key:
            last = self._kept.last_born = (key, self._people_with_dob(dates))
        return last[1]

    def _people_with_dob(self, dates: set[date]) -> pd.DataFrame:
        empty = pd.DataFrame({"surname": [], "forenames": [], "date_of_birth": []})
        if not dates:
            return empty
        from helpers.extracts.sources import FORCE_SOURCES

        written = sorted(
            {day.strftime(source.date_format) for day in dates for source in FORCE_SOURCES}
        )
        born = self.extract.store.people_born(written)
        if "date_of_birth" not in born.column_names:
            return empty
        frame = born.to_pandas()
        frame["date_of_birth"] = _as_dates(frame["date_of_birth"]).dt.date
        return frame

    def texts(self) -> Iterable[str]:
        texts = self.extract.store.texts(self.text_ids)["circumstances"]
        return (text for text in texts.to_pylist() if text)


# --------------------------------------------------------------------------------------------
# The crimes whose texts a run read: the only texts its briefing could have copied

SEARCH_SCOPE_FILE = "search_scope.csv"


def write_search_scope(restricted: Path, crime_ids) -> None:
    pd.Series(list(crime_ids), name="crime_id", dtype="string").to_csv(
        Path(restricted) / SEARCH_SCOPE_FILE, index=False
    )


def read_search_scope(restricted: Path) -> list[str]:
    path = Path(restricted) / SEARCH_SCOPE_FILE
    return pd.read_csv(path, dtype=str)["crime_id"].tolist() if path.is_file() else []
