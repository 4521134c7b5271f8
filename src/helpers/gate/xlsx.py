"""Reading a workbook (`.xlsx`, such as `release/tables.xlsx`) for the release gate.

An xlsx file is a zip of XML parts. What the rules get (`WorkbookRead`, made a
`readers.Content` by `readers.read_xlsx_bytes`):

- every sheet's cells (`Sheet`): a text as its cell shows it (shared strings, inline strings and
  rich text joined, `_xHHHH_` escapes decoded), a number as its format shows it (`1,234` for
  `#,##0`), a formula as `=...`, and whether a text has the quote prefix; the sheet's Excel
  tables, where its counts are; its formulas outside cells (conditional formats, validations);
- text segments for the identifier, name and copied-text rules: each sheet's name and cells
  (marked `sheet 'Table_1', cell B3`), its header and footer, its links' words; the workbook's
  defined names; the properties (title, creator...); the Excel tables' names and column names;
  the number formats (which can show words); a shared string no cell shows;
- the parts that run or embed something (`active_parts`: macros, ActiveX, OLE objects, a
  content type that enables macros), and every relationship to something outside the file
  (`external_parts`: a link to a website, a linked workbook, a data connection).

Anything else is a reason not to release it (`unreadable`): a file that is not a zip, an
encrypted or duplicated part, a part that is not XML or that declares a DTD, a part the gate
does not know (a drawing, an image, a chart: a workbook of tables needs none), a part of more
than `MAX_PART_BYTES` or parts of more than `MAX_TOTAL_BYTES` in all (a zip bomb).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Literal
from xml.etree import ElementTree

MAX_PART_BYTES = 64 << 20
MAX_TOTAL_BYTES = 256 << 20
MAX_PARTS = 5_000
#: gptables' contents and notes tables: their data are titles and notes, not counts
WORD_TABLES = ("contents_table", "notes_table")

#: parts the gate reads (anything else in a workbook is unreadable, or active below)
_KNOWN_PART = re.compile(
    r"\[Content_Types\]\.xml|(?:.*/)?_rels/[^/]*\.rels|docProps/(?:core|app|custom)\.xml"
    r"|xl/(?:workbook|styles|sharedStrings|calcChain|metadata)\.xml|xl/theme/theme\d+\.xml"
    r"|xl/worksheets/sheet\d+\.xml|xl/tables/table\d+\.xml",
    re.I,
)
#: parts that run code or embed another program's object
_ACTIVE_PART = re.compile(
    r"vbaProject|activeX|embeddings/|oleObject|macrosheets/|dialogsheets/|customUI"
    r"|attachedToolbars|vbaData",
    re.I,
)
_MACRO_TYPE = re.compile(r"macroEnabled|vbaProject|activeX|oleObject", re.I)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
#: number formats that show thousands separators (`#,##0`: built-in 3; `#,##0.00`: 4)
_GROUPED_FORMATS = {3, 4}
#: a defined name's value that is a call, not a plain reference (a print area)
_CALL = re.compile(r"[A-Za-z_][\w.]*\s*\(")
_SHEET_PART = re.compile(r"xl/worksheets/sheet\d+\.xml", re.I)
_HEADERS_FOOTERS = {
    "oddHeader",
    "oddFooter",
    "evenHeader",
    "evenFooter",
    "firstHeader",
    "firstFooter",
}


@dataclass(frozen=True)
class SheetCell:
    """One cell of a workbook's sheet (`helpers.gate.xlsx`): where it is (from 1), its text as
    a spreadsheet shows it (a formula as `=...`, a number as its format writes it), what it is,
    and, for a text, whether it has the quote prefix (a spreadsheet keeps it a text when the
    cell is edited, as a CSV cell after a `'`)."""

    row: int
    column: int
    text: str
    kind: Literal["text", "number", "formula", "other"]
    quoted: bool = False

    @property
    def ref(self) -> str:
        """`B3`."""
        letters, n = "", self.column
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        return f"{letters}{self.row}"


#: sheet names a finding may repeat (the workbook's own): any other is named by its position,
#: as a name is text from the file and may be the very leak found
_OWN_SHEET_NAME = re.compile(r"Cover|Contents|Notes|Table_\d{1,4}")


@dataclass
class Sheet:
    """A workbook's sheet as the rules see it: its cells; its Excel tables (first row, first
    column, last row, last column, from 1: a header row, then rows whose first cell is a label),
    those whose data are words apart (gptables' contents and notes); its formulas outside cells
    (conditional formats, validations), each with where it is."""

    name: str
    position: int = 0
    cells: list[SheetCell] = field(default_factory=list)
    tables: list[tuple[int, int, int, int]] = field(default_factory=list)
    word_tables: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: list[tuple[str, str]] = field(default_factory=list)

    @property
    def where(self) -> str:
        if _OWN_SHEET_NAME.fullmatch(self.name):
            return f"sheet {self.name!r}"
        return f"sheet {self.position}" if self.position else "the workbook"


@dataclass
class WorkbookRead:
    """What the gate read of a workbook: its sheets, its texts (text, marks: where each offset
    is), why it cannot be read whole, its relationships to outside and its active parts."""

    sheets: list[Sheet] = field(default_factory=list)
    segments: list[tuple[str, list[tuple[int, str]]]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    #: its relationships to something outside it (a link, a linked file): where each is
    external_parts: list[str] = field(default_factory=list)
    #: its parts that run or embed something (macros, ActiveX, OLE objects)
    active_parts: list[str] = field(default_factory=list)


def local(tag: str) -> str:
    """An XML tag without its namespace (transitional and strict workbooks alike)."""
    return tag.rsplit("}", 1)[-1]


def unescape(text: str) -> str:
    """A workbook's text as shown: `_x000D_` is a carriage return, `_x005F_` an underscore."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def read_xlsx(data: bytes) -> WorkbookRead:
    """A workbook read from its bytes (see the module doc)."""
    content = WorkbookRead()
    parts = _parts(data, content)
    if parts is None:
        return content
    rels = {name: _relationships(root) for name, root in parts.items() if name.endswith(".rels")}
    for name, targets in rels.items():
        for kind, _target, external in targets.values():
            if external:
                content.external_parts.append(f"a {kind} relationship to outside ({name})")
    types = parts.get("[Content_Types].xml")
    if types is not None:
        for element in types.iter():
            if _MACRO_TYPE.search(element.get("ContentType", "")):
                content.active_parts.append(f"a part typed {element.get('ContentType')}")
    strings = _shared_strings(parts.get("xl/sharedStrings.xml"))
    styles = _styles(parts.get("xl/styles.xml"))
    used: set[int] = set()
    for position, (name, sheet_part) in enumerate(_sheet_parts(parts, rels), start=1):
        sheet, texts = _sheet(name, position, parts[sheet_part], strings, styles, used, content)
        for table_name, area in _tables(sheet_part, parts, rels):
            (sheet.word_tables if table_name in WORD_TABLES else sheet.tables).append(area)
        content.sheets.append(sheet)
        content.segments.append(texts)
    workbook = parts.get("xl/workbook.xml")
    if workbook is not None:
        _defined_names(workbook, content)
    unused = [text for k, text in enumerate(strings) if k not in used]
    if unused:
        content.segments.append(("\n".join(unused), [(0, "a shared string no cell shows")]))
    for name, root in parts.items():
        if name.startswith("docProps/") or name.startswith("xl/tables/"):
            _all_text(name, root, content)
    if styles.formats:
        content.segments.append(("\n".join(styles.formats), [(0, "the workbook's number formats")]))
    return content


def _unreadable(content: WorkbookRead, detail: str) -> None:
    content.unreadable.append(detail)


def _parts(data: bytes, content: WorkbookRead) -> dict[str, ElementTree.Element] | None:
    """The workbook's XML parts by name, parsed; None (and why, in `content`) if it cannot be
    read whole. Active parts are noted, not read."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in book.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        _unreadable(content, f"not a readable xlsx workbook ({type(error).__name__})")
        return None
    names = [info.filename for info in infos]
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        _unreadable(content, "a workbook too large to check (a zip bomb?)")
        return None
    if len({name.casefold() for name in names}) != len(names):
        _unreadable(content, "a workbook with two parts of the same name")
        return None
    parts: dict[str, ElementTree.Element] = {}
    for info in infos:
        name = info.filename
        if _ACTIVE_PART.search(name):
            content.active_parts.append(f"a macro or embedded object ({name})")
            continue
        if not _KNOWN_PART.fullmatch(name):
            _unreadable(content, f"a workbook part the gate cannot read ({name[:80]})")
            continue
        if info.flag_bits & 0x1 or info.file_size > MAX_PART_BYTES:
            _unreadable(content, f"an encrypted or too large workbook part ({name})")
            continue
        try:
            raw = book.read(info)
            if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
                raise ValueError("a DTD")
            parts[name] = ElementTree.fromstring(raw)
        except (ElementTree.ParseError, ValueError, zipfile.BadZipFile, OSError, EOFError) as e:
            _unreadable(content, f"a workbook part that is not readable XML ({name}: {e})"[:160])
    if "xl/workbook.xml" not in parts:
        _unreadable(content, "a workbook without xl/workbook.xml")
    return parts


def _relationships(root: ElementTree.Element) -> dict[str, tuple[str, str, bool]]:
    """A `.rels` part: id -> (kind, target, whether it is outside the file)."""
    found = {}
    for element in root.iter():
        if local(element.tag) == "Relationship":
            kind = element.get("Type", "").rsplit("/", 1)[-1] or "unnamed"
            external = element.get("TargetMode", "").lower() == "external"
            found[element.get("Id", "")] = (kind, element.get("Target", ""), external)
    return found


def _target(source: str, target: str) -> str:
    """A relationship's target as a part name (relative to the source part's folder)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _sheet_parts(
    parts: dict[str, ElementTree.Element], rels: dict[str, dict[str, tuple[str, str, bool]]]
) -> list[tuple[str, str]]:
    """(name, part) of each sheet: named by the workbook, and any sheet part it does not name
    (read all the same, named by its part)."""
    named: list[tuple[str, str]] = []
    workbook = parts.get("xl/workbook.xml")
    links = rels.get("xl/_rels/workbook.xml.rels", {})
    if workbook is not None:
        for element in workbook.iter():
            if local(element.tag) != "sheet":
                continue
            rid = next((v for k, v in element.attrib.items() if local(k) == "id"), "")
            if rid in links:
                part = _target("xl/workbook.xml", links[rid][1])
                if part in parts:
                    named.append((element.get("name", ""), part))
    seen = {part for _, part in named}
    others = sorted(n for n in parts if _SHEET_PART.fullmatch(n) and n not in seen)
    return named + [(part, part) for part in others]


def _shared_strings(root: ElementTree.Element | None) -> list[str]:
    if root is None:
        return []
    return [_string_text(si) for si in root if local(si.tag) == "si"]


def _string_text(element: ElementTree.Element) -> str:
    """A string item's text: its `<t>`s, rich-text runs and phonetic guides included."""
    return unescape("".join(t.text or "" for t in element.iter() if local(t.tag) == "t"))


class _Styles:
    """What the gate reads of `styles.xml`: each cell format's quote prefix and number format,
    and the custom number formats' codes (words a cell can show)."""

    def __init__(self) -> None:
        self.quoted: list[bool] = []
        self.grouped: list[bool] = []
        self.formats: list[str] = []


def _styles(root: ElementTree.Element | None) -> _Styles:
    styles = _Styles()
    if root is None:
        return styles
    grouped_ids = set(_GROUPED_FORMATS)
    for element in root.iter():
        if local(element.tag) == "numFmt":
            code = element.get("formatCode", "")
            styles.formats.append(unescape(code))
            if code.replace("\\", "") in ("#,##0", "#,##0.00"):
                grouped_ids.add(int(element.get("numFmtId", "-1")))
    for parent in root:
        if local(parent.tag) != "cellXfs":
            continue
        for xf in parent:
            styles.quoted.append(xf.get("quotePrefix", "0") in ("1", "true"))
            styles.grouped.append(int(xf.get("numFmtId", "0") or 0) in grouped_ids)
    return styles


def _cell_position(ref: str | None, row: int, last_column: int) -> tuple[int, int]:
    m = _CELL_REF.fullmatch(ref or "")
    if not m:
        return row, last_column + 1
    column = 0
    for letter in m.group(1):
        column = column * 26 + ord(letter) - 64
    return int(m.group(2)), column


def _number_text(value: str, grouped: bool) -> str:
    """A number as its format shows it: `1,234` with thousands separators, else as stored."""
    try:
        number = float(value)
    except ValueError:
        return value
    if grouped and number.is_integer():
        return f"{int(number):,}"
    return value


def _sheet(
    name: str,
    position: int,
    root: ElementTree.Element,
    strings: list[str],
    styles: _Styles,
    used: set[int],
    content: WorkbookRead,
) -> tuple[Sheet, tuple[str, list[tuple[int, str]]]]:
    """A sheet's cells and formulas, and its text segment (its name, cells, header, footer and
    links' words, each marked where it is)."""
    sheet = Sheet(name, position)
    lines, marks, offset = [name], [(0, f"{sheet.where}, its name")], len(name) + 1

    def add(text: str, where: str) -> None:
        nonlocal offset
        marks.append((offset, where))
        lines.append(text)
        offset += len(text) + 1

    row_number = 0
    for element in root.iter():
        tag = local(element.tag)
        if tag == "row":
            row_number = int(element.get("r", row_number + 1))
            last_column = 0
            for c in element:
                if local(c.tag) != "c":
                    continue
                row, column = _cell_position(c.get("r"), row_number, last_column)
                last_column = column
                cell = _cell(c, row, column, strings, styles, used, content)
                if cell is not None:
                    sheet.cells.append(cell)
                    add(cell.text, f"{sheet.where}, cell {cell.ref}")
        elif tag in ("formula", "formula1", "formula2"):
            sheet.formulas.append((f"{sheet.where}, a rule's formula", "=" + (element.text or "")))
        elif tag in _HEADERS_FOOTERS:
            add(unescape(element.text or ""), f"{sheet.where}, its header or footer")
        if tag in ("hyperlink", "dataValidation"):
            for attribute in ("display", "tooltip", "location", "prompt", "error"):
                if element.get(attribute):
                    add(element.get(attribute, ""), f"{sheet.where}, a {tag}'s {attribute}")
    return sheet, ("\n".join(lines), marks)


def _cell(
    c: ElementTree.Element,
    row: int,
    column: int,
    strings: list[str],
    styles: _Styles,
    used: set[int],
    content: WorkbookRead,
) -> SheetCell | None:
    kind = c.get("t", "n")
    style = int(c.get("s", "0") or 0)
    quoted = styles.quoted[style] if style < len(styles.quoted) else False
    grouped = styles.grouped[style] if style < len(styles.grouped) else False
    value = formula = inline = None
    for child in c:
        tag = local(child.tag)
        if tag == "v":
            value = child.text or ""
        elif tag == "f":
            formula = child.text or ""
        elif tag == "is":
            inline = _string_text(child)
    if formula is not None:
        return SheetCell(row, column, "=" + formula, "formula")
    if kind == "inlineStr":
        return SheetCell(row, column, inline or "", "text", quoted)
    if value is None:
        return None
    if kind == "s":
        try:
            index = int(value)
            text = strings[index]
        except (ValueError, IndexError):
            _unreadable(content, f"a cell naming a shared string that is not there ({value[:20]})")
            return None
        used.add(index)
        return SheetCell(row, column, text, "text", quoted)
    if kind == "str":
        return SheetCell(row, column, unescape(value), "text", quoted)
    if kind == "n":
        return SheetCell(row, column, _number_text(value, grouped), "number")
    return SheetCell(row, column, value, "other")


def _tables(
    sheet_part: str,
    parts: dict[str, ElementTree.Element],
    rels: dict[str, dict[str, tuple[str, str, bool]]],
) -> list[tuple[str, tuple[int, int, int, int]]]:
    """The sheet's Excel tables: name, and area (first row, first column, last row, last
    column)."""
    areas = []
    for kind, target, external in rels.get(_rels_of(sheet_part), {}).values():
        table = parts.get(_target(sheet_part, target)) if kind == "table" and not external else None
        if table is None:
            continue
        first, _, last = table.get("ref", "").partition(":")
        top = _cell_position(first, 0, 0)
        bottom = _cell_position(last or first, 0, 0)
        if top[0] and bottom[0]:
            areas.append((table.get("name", ""), (top[0], top[1], bottom[0], bottom[1])))
    return areas


def _defined_names(workbook: ElementTree.Element, content: WorkbookRead) -> None:
    """The workbook's defined names: their names and values are words; a value that calls a
    function is a formula (a print area, a plain reference, is not)."""
    names = Sheet("the workbook's defined names")
    texts = []
    for element in workbook.iter():
        if local(element.tag) == "definedName":
            value = element.text or ""
            texts.append(f"{element.get('name', '')} {value}")
            if _CALL.search(value) or "[" in value or "://" in value:
                names.formulas.append(
                    (f"the defined name {element.get('name', '')!r}", "=" + value)
                )
    if texts:
        content.segments.append(("\n".join(texts), [(0, "the workbook's defined names")]))
    if names.formulas:
        content.sheets.append(names)


def _all_text(name: str, root: ElementTree.Element, content: WorkbookRead) -> None:
    """Every text of a part (the properties, an Excel table's definition) and its names (a
    table's, its columns'); not its other attributes: numbers there are the file's own sizes."""
    texts = [unescape(e.text.strip()) for e in root.iter() if e.text and e.text.strip()]
    texts += [
        unescape(value)
        for e in root.iter()
        for key, value in e.attrib.items()
        if local(key) in ("name", "displayName", "title") and re.search(r"[^\W\d_]", value)
    ]
    if texts:
        content.segments.append(("\n".join(texts), [(0, f"the workbook's part {name}")]))
