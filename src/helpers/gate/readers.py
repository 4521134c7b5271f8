"""Reading the release: each file becomes the `Content` the rules look at.

What each kind of file gives, and which files give an `unreadable` finding: docs/design-notes.md,
"The release gate".

Images are not read: a `data:` image's payload is skipped (text-like `data:` URIs — `text/*`,
SVG, JSON — are decoded and checked), and so are the pictures inside a PDF. In an embedded SVG
(the briefing's chart) the words it shows and its attributes are checked, but not its drawing
(`SVG_DRAWING_ATTRIBUTES`), as a PNG's pixels are not. A PDF's text is what pypdf extracts (pages
and metadata): text boxes that touch with no gap (table cells without padding) come out glued
into one word, so the briefing's table style must keep its cell padding (a test renders
`helpers.briefing.report.table_html` to check this).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import csv
import html
import io
import json
import re
import shutil
import subprocess
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from helpers.gate.report import Finding
from helpers.gate.xlsx import Sheet, read_xlsx


@dataclass
class Segment:
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
class Markup:
    """HTML, SVG or CSS text of a file, for the external-link rule."""

    kind: Literal["html", "css"]
    text: str  # HTML with its `data:` payloads dropped (`_strip_data_payloads`)
    embedded: str | None = None  # the media type of markup decoded from a `data:` URI
    _scan: HtmlScan | None = field(default=None, repr=False, compare=False)

    @property
    def scan(self) -> HtmlScan:
        """The page's tags, found once for the rules that read them."""
        if self._scan is None:
            self._scan = HtmlScan(self.text)
        return self._scan


@dataclass
class Content:
    """One release file (or table) as the rules see it: text `segments` (for the identifier, name
    and copied-text rules), a CSV table's `grid` or a workbook's `sheets` (small counts,
    formulas), `markup`, `pdf_actions` and `external_parts` (links), `active_parts` (a
    workbook's macros and embedded objects), and what reading it found."""

    file: str
    segments: list[Segment] = field(default_factory=list)
    grid: list[list[str]] | None = None  # a CSV table: rows of cells
    header_rows: int = 1
    label_cols: int = 1
    markup: list[Markup] = field(default_factory=list)
    pdf_actions: set[str] = field(default_factory=set)  # `/URI`, `/Launch`...: a PDF's actions
    findings: list[Finding] = field(default_factory=list)  # what reading found (unreadable)
    sheets: list[Sheet] = field(default_factory=list)  # a workbook (xlsx): its sheets
    #: a workbook's relationships to something outside it (a link, a linked file): where each is
    external_parts: list[str] = field(default_factory=list)
    #: a workbook's parts that run or embed something (macros, ActiveX, OLE objects)
    active_parts: list[str] = field(default_factory=list)


HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".svg", ".xml"}


def _decode(data: bytes, file: str) -> str | Finding:
    """The text of a file, or why the gate cannot read it."""
    if b"\x00" in data:
        return Finding(
            file, "unreadable", "binary file: the gate cannot read it, so it cannot be released"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Finding(
            file, "unreadable", f"not UTF-8 text (byte {error.start}): the gate cannot read it"
        )


def read_path(path: Path, file: str) -> Content:
    """A release file read by its kind; `file` names it in the findings."""
    content = Content(file)
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
    if suffix == ".xlsx":
        return read_xlsx_bytes(data, file)
    text = _decode(data, file)
    if isinstance(text, Finding):
        content.findings.append(text)
        return content
    if suffix in HTML_SUFFIXES:
        _read_html(text, content)
    elif suffix == ".csv":
        _read_csv(text, content)
    elif suffix == ".json":
        _read_json(text, content)
    elif suffix == ".css":
        content.segments.append(Segment(text))
        content.markup.append(Markup("css", text))
    else:  # any other text: searched as it is
        content.segments.append(Segment(text))
    return content


def read_xlsx_bytes(data: bytes, file: str) -> Content:
    """A workbook (`.xlsx`) read from its bytes (`helpers.gate.xlsx`); `file` names it."""
    book = read_xlsx(data)
    return Content(
        file,
        segments=[Segment(text, marks) for text, marks in book.segments],
        findings=[Finding(file, "unreadable", detail) for detail in book.unreadable],
        sheets=book.sheets,
        external_parts=book.external_parts,
        active_parts=book.active_parts,
    )


# ---- HTML

_COMMENT_DELIMS = re.compile(r"<!--|-->")
#: elements shown within a line of text, whose tags a browser draws as nothing
INLINE_ELEMENTS = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub sup "
    "time u var wbr".split()
)
#: what a tag is: `HtmlScan` finds exactly these, in linear time (this pattern, tried at every `<`
#: without a `>` after it, read on to the end of the page each time: 20,000 unclosed `<a` took 11 s)
HTML_TAG = re.compile(r"<(/?)([A-Za-z!?][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
# a tag and its attributes: the markup rules read them with these too
HTML_ATTRIBUTE = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?", re.S)
_TAG_OPEN = re.compile(r"<(/?)([A-Za-z!?][\w:.-]*)")
_TAG_EVENT = re.compile(r"[>\"']")  # what ends a tag's attributes, or opens a quoted value
_RAW_TEXT_OPEN = re.compile(r"<(script|style)\b", re.I)
_RAW_TEXT_CLOSE = {
    "script": re.compile(r"</script\s*>", re.I),
    "style": re.compile(r"</style\s*>", re.I),
}


@dataclass(frozen=True)
class Tag:
    """One tag of a page, as `HTML_TAG` reads it: characters `start:end`, `closing` ("/" or ""),
    its `name` and its `attributes` text."""

    start: int
    end: int
    closing: str
    name: str
    attributes: str


@dataclass(frozen=True)
class RawTextElement:
    """A `<script>` or `<style>` element: where it starts, which (as written) and its body."""

    start: int
    kind: str
    body: str
    body_start: int


class HtmlScan:
    """A page's tags, found once in linear time and shared by the rules that read markup.

    Where a tag's attributes end depends only on the next `>` or quote after its name: a `>` ends
    it, a quote jumps past its closing quote (no closing quote: no tag), the end of the page: no
    tag. Worked out once for each `>` and quote, from the last back, every tag start is then one
    look-up, however many starts never close.
    """

    def __init__(self, text: str):
        self.text = text
        self._events: list[int] | None = None
        self._ends: list[int] = []  # per event: the `>` that ends attributes read from it, or -1
        self._tags: list[Tag] | None = None

    def _event_ends(self) -> None:
        events = [m.start() for m in _TAG_EVENT.finditer(self.text)]
        ends = [-1] * len(events)
        next_quote = {'"': -1, "'": -1}  # the index of the next event of each quote, going back
        for i in range(len(events) - 1, -1, -1):
            char = self.text[events[i]]
            if char == ">":
                ends[i] = events[i]
            else:
                closing = next_quote[char]
                ends[i] = ends[closing + 1] if 0 <= closing < len(events) - 1 else -1
                next_quote[char] = i
        self._events, self._ends = events, ends

    def tag_end(self, pos: int) -> int:
        """The `>` that ends attributes read from `pos` (quoted values skipped whole), or -1."""
        if self._events is None:
            self._event_ends()
        assert self._events is not None
        i = bisect.bisect_left(self._events, pos)
        return self._ends[i] if i < len(self._events) else -1

    @property
    def tags(self) -> list[Tag]:
        """Every tag, in order, as `HTML_TAG.finditer` gives them."""
        if self._tags is None:
            tags = []
            pos = 0
            while (m := _TAG_OPEN.search(self.text, pos)) is not None:
                end = self.tag_end(m.end())
                if end < 0:
                    pos = m.end()  # no tag starts inside the name just read
                    continue
                tags.append(
                    Tag(m.start(), end + 1, m.group(1), m.group(2), self.text[m.end() : end])
                )
                pos = end + 1
            self._tags = tags
        return self._tags

    def raw_text_elements(self) -> list[RawTextElement]:
        """Each `<script>` and `<style>` with its body up to its first closing tag (an element
        never closed is none), as `<(script|style)\\b(attributes)>(.*?)</\\1\\s*>` reads them."""
        found = []
        # kind -> its closing tags and where they start, found once (they cannot overlap)
        closes: dict[str, tuple[list[re.Match], list[int]]] = {}
        pos = 0
        while (m := _RAW_TEXT_OPEN.search(self.text, pos)) is not None:
            kind = m.group(1).lower()
            end = self.tag_end(m.end())
            if kind not in closes:
                matches = list(_RAW_TEXT_CLOSE[kind].finditer(self.text))
                closes[kind] = (matches, [c.start() for c in matches])
            matches, starts = closes[kind]
            after = bisect.bisect_left(starts, end + 1)
            if end < 0 or after == len(starts):
                pos = m.start() + 1
                continue
            close = matches[after]
            found.append(
                RawTextElement(m.start(), m.group(1), self.text[end + 1 : close.start()], end + 1)
            )
            pos = close.end()
        return found


_DATA_URI = re.compile(
    r"data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+(?:=[\w.+-]+)?)*),([^\"'()\s<>]*)", re.I
)
_TEXT_DATA_TYPES = re.compile(r"^(text/|image/svg|application/(json|xml|xhtml|javascript))", re.I)


class LineNumbers:
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


#: an SVG's drawing: where things are and how they look. Not read, as a PNG's pixels are not (its
#: coordinates, `44.878242`, are runs of digits that can be anyone's nominal number); the words it
#: shows (`<text>`, `<title>`, `<desc>`) and its other attributes (`aria-label`...) are
SVG_DRAWING_ATTRIBUTES = frozenset(
    "d x y x1 x2 y1 y2 cx cy r rx ry dx dy points transform width height viewbox style id class "
    "clip-path fill stroke stroke-width opacity offset patternunits version".split()
)


def _html_segments(text: str, drawing: frozenset[str] = frozenset()) -> list[Segment]:
    """The page's text (tags blanked out, an inline element's removed, entities decoded, comments
    kept: the source is published too) and, separately, its attribute values (alt, title, id...)
    but for the `drawing` attributes (lower case)."""
    text = _COMMENT_DELIMS.sub(lambda m: " " * len(m.group(0)), text)
    pieces, attributes, marks, last = [], [], [], 0
    attr_offset = 0
    line_at = LineNumbers(text)
    for tag in HtmlScan(text).tags:
        pieces.append(html.unescape(text[last : tag.start]))
        newlines = "\n" * text.count("\n", tag.start, tag.end)
        # a browser shows `P<b>12345</b>` as P12345: an inline element's tags part no words
        pieces.append(newlines if tag.name.lower() in INLINE_ELEMENTS else f" {newlines} ")
        last = tag.end
        line = line_at(tag.start)
        for a in HTML_ATTRIBUTE.finditer(tag.attributes):
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
    segments = [Segment("".join(pieces))]
    if attributes:
        segments.append(Segment("\n".join(attributes), marks))
    return segments


def _read_html(text: str, content: Content) -> None:
    text, embedded = _strip_data_payloads(text)
    content.markup.append(Markup("html", text))
    content.segments += _html_segments(text)
    for media, body in embedded:
        if "svg" in media or "html" in media or "xml" in media:
            content.markup.append(Markup("html", body, media))
            for segment in _html_segments(
                body, SVG_DRAWING_ATTRIBUTES if "svg" in media else frozenset()
            ):
                content.segments.append(
                    Segment(segment.text, [(0, f"inside an embedded {media} data: URI")])
                )
        else:
            content.segments.append(Segment(body, [(0, f"inside an embedded {media} data: URI")]))


# ---- CSV and JSON


def _read_csv(text: str, content: Content) -> None:
    content.segments.append(Segment(text))
    try:
        grid = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        content.findings.append(
            Finding(content.file, "unreadable", f"not a readable CSV table ({error})")
        )
        return
    content.grid = grid


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


def _read_json(text: str, content: Content) -> None:
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
        content.segments.append(Segment(text))
        return
    parts, marks, offset = [], [], 0
    for path, scalar in _json_scalars(document, ""):
        marks.append((offset, f"at {path or 'the top level'}"))
        parts.append(scalar)
        offset += len(scalar) + 1
    content.segments.append(Segment("\n".join(parts), marks))


# ---- PDF

_PDF_ACTIONS = ("/URI", "/Launch", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData", "/JavaScript")
_PDF_RAW_ACTION = re.compile(
    rb"/(URI|Launch|GoToR|GoToE|SubmitForm|ImportData|JavaScript)(?![A-Za-z])"
)


def _pdf_walk(reader) -> tuple[set[str], bool]:
    """Every action kind found (walking all objects from the trailer) and whether the PDF embeds
    files. Stream data is not decoded; dictionaries and arrays are."""
    # pypdf is imported only when a PDF is read: the tables' gate in the kernel never reads one
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
    from pypdf import PdfReader  # only when a PDF is read (see `_pdf_walk`)

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


def _read_pdf(path: Path, data: bytes, content: Content) -> None:
    file = content.file
    raw_actions = {"/" + m.decode() for m in _PDF_RAW_ACTION.findall(data)}
    try:  # pypdf if it is installed, else poppler's pdftotext
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
    content.pdf_actions = actions | raw_actions
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
    content.segments.append(Segment(text, marks))
    if meta:
        content.segments.append(Segment("\n".join(meta), [(0, "in the PDF's metadata")]))


# ---- tables given as DataFrames, and the release folder


#: what a spreadsheet runs as a formula when a CSV cell starts with it (OWASP, "CSV injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: what the writer puts before such a cell, so that a spreadsheet reads it as text
NEUTRALISED = "'"
#: a number with a sign, which a spreadsheet reads as a number: `-3`, `-1.5`, `+3`, `-1,234`
_SIGNED_NUMBER = re.compile(r"[+-](?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII)


def is_formula(cell: str) -> bool:
    """A CSV cell a spreadsheet would run as a formula: one that starts with `=`, `+`, `-`, `@`, a
    tab or a carriage return and is not a number."""
    return cell.startswith(FORMULA_STARTS) and not _SIGNED_NUMBER.fullmatch(cell)


def table_csv(frame: pd.DataFrame) -> str:
    """The CSV text of a released table: the index is the label column unless it is a RangeIndex.
    A cell a spreadsheet would run as a formula (`is_formula`) is written after a `'`, which makes
    it text (OWASP's advice), so a label such as `=IMAGE(...)` cannot reach the web or run; a
    cell with a line break or carriage return in it is quoted."""
    grid, _, _ = _grid_for(frame)
    lines = []
    for row in grid:
        # rows end in "\n", but "\r\n" makes the writer quote a cell with a carriage return too
        # (with "\n" it leaves it bare, and a spreadsheet starts a new row there)
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow(
            [NEUTRALISED + cell if is_formula(cell) else cell for cell in row]
        )
        lines.append(out.getvalue()[:-2] + "\n")
    return "".join(lines)


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


def read_tables(tables: Mapping[str, pd.DataFrame] | Sequence[Path | str]) -> list[Content]:
    """Released tables: DataFrames (name -> frame, read as `table_csv` writes them) or CSV files."""
    contents = []
    if isinstance(tables, Mapping):
        for name, frame in tables.items():
            _, header_rows, label_cols = _grid_for(frame)
            content = Content(str(name), header_rows=header_rows, label_cols=label_cols)
            _read_csv(table_csv(frame), content)  # exactly what write_tables would write
            contents.append(content)
    else:
        for path in tables:
            path = Path(path)
            label = f"{path.parent.name}/{path.name}" if path.parent.name == "tables" else path.name
            contents.append(read_path(path, label))
    return contents


def release_files(release_dir: Path) -> list[Path]:
    """Every file under the release folder (hidden ones too), sorted by relative posix path."""
    release_dir = Path(release_dir)
    return sorted(
        (p for p in release_dir.rglob("*") if p.is_file() or (p.is_symlink() and not p.is_dir())),
        key=lambda p: p.relative_to(release_dir).as_posix(),
    )
