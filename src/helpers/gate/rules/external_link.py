"""Rule external_link: the release must be self-contained.

HTML (and SVG/XML) fails with any `<script src>`, `<link href>` or `src` that is not a `data:`
URI; any URL attribute (`href`, `src`, `srcset`, `action`, `data`, `poster`, `background`,
`xlink:href`, ...) holding an absolute (`scheme://`) or protocol-relative (`//`) URL — so
`<a href="https://…">` fails too, while `<a href="#s2">` and a relative `<a href="tables/x.csv">`
pass; a refresh `<meta>` to a URL; in CSS (`<style>`, `style=`, `.css` files) any `@import` or
`url(…)` that is not `data:` or `#fragment`, and any absolute URL outside comments; any absolute
URL inside an inline `<script>`. A website named in plain text (`www.gov.uk`, even
`https://www.gov.uk` in a sentence) is not a link. A CSV cell that is a spreadsheet formula
reaching for the web (`=HYPERLINK(…)`, `=WEBSERVICE(…)`, a URL) fails (any other formula: the
spreadsheet-formula rule's). In a PDF: any `/URI`,
`/Launch`, `/GoToR`, `/GoToE`, `/SubmitForm`, `/ImportData`, `/JavaScript` action, found by
walking every object with pypdf (WeasyPrint compresses its object streams, so the raw bytes alone
do not show them) and in the raw bytes as well (`readers._read_pdf`). In a workbook (xlsx): a
formula reaching for the web (in a cell, or an unquoted text that would become one when edited,
or outside the cells), and any relationship to something outside the file (a link to a website,
a linked workbook, a data connection; `helpers.gate.xlsx`); a link to another of its sheets
passes.
"""

from __future__ import annotations

import html
import re
import urllib.parse

from helpers.gate.readers import HTML_ATTRIBUTE, Content, HtmlScan, LineNumbers
from helpers.gate.report import Finding
from helpers.gate.rules.base import Context


class ExternalLinkRule:
    """Links in a file's markup (HTML, SVG, CSS), formulas in its table, actions in its PDF."""

    name = "external_link"
    reads_extract = False

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return [_link_findings(content) for content in contents]


def _link_findings(content: Content) -> list[Finding]:
    file, findings = content.file, []
    for markup in content.markup:
        if markup.kind == "css":
            findings += [
                Finding(file, "external_link", f"{what} (line {line})")
                for line, what in _css_links(markup.text, 1)
            ]
        elif markup.embedded is None:
            findings += [
                Finding(file, "external_link", f"{what} (line {line})")
                for line, what in _html_links(markup.text, markup.scan)
            ]
        else:
            findings += [
                Finding(
                    file,
                    "external_link",
                    f"{what} (inside an embedded {markup.embedded} data: URI)",
                )
                for _, what in _html_links(markup.text, markup.scan)
            ]
    for r, row in enumerate(content.grid or [], start=1):
        for c, cell in enumerate(row, start=1):
            if formula_reaches_outside(cell):
                findings.append(
                    Finding(
                        file,
                        "external_link",
                        f"row {r}, column {c}: a spreadsheet formula that reaches outside the file",
                    )
                )
    for sheet in content.sheets:
        outside = [
            f"{sheet.where}, cell {cell.ref}"
            for cell in sheet.cells
            if (cell.kind == "formula" or (cell.kind == "text" and not cell.quoted))
            and formula_reaches_outside(cell.text)
        ] + [where for where, text in sheet.formulas if formula_reaches_outside(text)]
        findings += [
            Finding(file, "external_link", f"{where}: a spreadsheet formula that reaches outside")
            for where in outside
        ]
    findings += [Finding(file, "external_link", what) for what in content.external_parts]
    for action in sorted(content.pdf_actions):
        what = (
            "a link (/URI action) to an outside address"
            if action == "/URI"
            else f"a {action} action"
        )
        findings.append(Finding(file, "external_link", what))
    return findings


#: what a `<script>` or `<style>` element is: `HtmlScan.raw_text_elements` finds exactly these, in
#: linear time (this pattern read to the page's end from every `<script` never closed)
_RAW_TEXT_ELEMENT = re.compile(
    r"<(script|style)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>(.*?)</\1\s*>", re.S | re.I
)
# `scheme://`, `//` (`\` is `/` to a browser), a web scheme without slashes (`https:evil.example`)
_ABSOLUTE_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?[/\\]{2}|^\s*(?:https?|ftps?|wss?):", re.I)
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


def _is_external(url: str) -> bool:
    # a browser drops tabs and line breaks anywhere in a URL (`h&#9;ttps://…`)
    return bool(_ABSOLUTE_URL.match(re.sub(r"[\t\n\r]", "", html.unescape(url))))


def _describe_url(url: str) -> str:
    url = re.sub(r"[\t\n\r]", "", html.unescape(url)).strip().replace("\\", "/")
    url = re.sub(r"^((?:https?|ftps?|wss?):)/*", r"\1//", url, flags=re.I)  # as a browser reads it
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
    line_at = LineNumbers(css, line0)
    for m in re.finditer(r"@import\s+(url\(\s*)?([\"']?)([^\"')\s;]*)", css, re.I):
        if not m.group(3).lower().startswith("data:"):
            found.append((line_at(m.start()), f"CSS @import of {_describe_url(m.group(3))}"))
    for m in re.finditer(r"url\(\s*([\"']?)(.*?)\1\s*\)", css, re.I | re.S):
        target = m.group(2).strip()
        if target and not target.lower().startswith("data:") and not target.startswith("#"):
            found.append((line_at(m.start()), f"CSS url() loading {_describe_url(target)}"))
    urls = {line for line, _ in found}
    for m in _ANY_URL.finditer(css):
        line = line_at(m.start())
        if line not in urls:
            found.append((line, "an absolute URL in CSS"))
    return found


def _html_links(text: str, scan: HtmlScan) -> list[tuple[int, str]]:
    """(line, what) for every reference to a resource outside the page (see the module doc);
    `scan`: the page's tags, shared with the active-content rule."""
    found: list[tuple[int, str]] = []
    line_at = LineNumbers(text)
    for tag in scan.tags:
        closing, name, attr_text = tag.closing, tag.name.lower(), tag.attributes
        if closing or name.startswith(("!", "?")):
            continue
        line = line_at(tag.start)
        attrs: dict[str, str] = {}
        for a in HTML_ATTRIBUTE.finditer(attr_text):
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
    for element in scan.raw_text_elements():
        kind, body = element.kind.lower(), element.body
        line0 = line_at(element.body_start)
        if kind == "style":
            found += _css_links(body, line0)
        else:
            body_line_at = LineNumbers(body, line0)
            found += [
                (body_line_at(u.start()), "an absolute URL inside a <script>")
                for u in _ANY_URL.finditer(body)
            ]
    return sorted(set(found))


def formula_reaches_outside(cell: str) -> bool:
    """A CSV cell that is a spreadsheet formula reaching for the web or another program."""
    return bool(_FORMULA.match(cell) and _FORMULA_WEB.search(cell))


_FORMULA = re.compile(r"^\s*(=|@|[+-]\s*[A-Za-z(])")
_FORMULA_WEB = re.compile(
    r"https?:|//|HYPERLINK|WEBSERVICE|IMPORT(DATA|XML|HTML|FEED|RANGE)|FILTERXML|RTD|DDE", re.I
)
