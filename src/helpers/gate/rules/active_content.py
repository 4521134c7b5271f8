"""Rule active_content: nothing in a release file may run.

HTML (and SVG/XML, and markup decoded from a `data:` URI in them) fails with any `<script>`,
`<iframe>`, `<frame>`, `<frameset>`, `<object>`, `<embed>`, `<applet>`, `<form>` or `<base>`
element; any event-handler attribute (`on…=`, in any case, `<svg/onload=…>` too); a
`javascript:`, `vbscript:`, `data:text/html` or `data:application/xhtml+xml` URL in a URL
attribute (`href`, `src`, `xlink:href`, `action`…) or in an SVG animation's values (`to`,
`values`…), read as a browser reads it (entities decoded, tabs and line breaks dropped, leading
spaces ignored); a `<meta http-equiv="refresh">`, with an address or without. The page's own
`<meta http-equiv="Content-Security-Policy">` passes. Tags are read with the gate's tag reader
(`readers.HtmlScan`: the tags of `readers.HTML_TAG`); a `<` and a letter it does not take as a tag
(an unmatched quote in it) is read to the next `>`, as a browser would. Text, comments included, is
not read: `&lt;script&gt;` is words. A PDF's JavaScript is an action, found by the external-link
rule. A workbook (xlsx) fails with a macro (a VBA project, an Excel 4 macro sheet, a content type
that enables macros), an ActiveX control or an embedded OLE object (`helpers.gate.xlsx`).
"""

from __future__ import annotations

import html
import re

from helpers.gate.readers import HTML_ATTRIBUTE, Content, HtmlScan, LineNumbers
from helpers.gate.report import Finding
from helpers.gate.rules.base import Context
from helpers.gate.rules.external_link import URL_ATTRIBUTES

#: elements that run code, show another document, or send or redirect the page's requests
ACTIVE_ELEMENTS = frozenset("script iframe frame frameset object embed applet form base".split())
#: SVG animation attributes that set another attribute (`<set attributeName="href" to=…>`)
ANIMATION_VALUES = frozenset({"to", "from", "by", "values"})
_EVENT_HANDLER = re.compile(r"on[a-z]+")
_SCRIPT_URL = re.compile(
    r"(javascript|vbscript|livescript):|data:\s*(text/html|application/xhtml\+xml)", re.I
)
#: a browser drops tabs and line breaks anywhere in a URL, then controls and spaces at its start
_URL_BREAKS = re.compile(r"[\t\n\r]")
_URL_LEADING = re.compile(r"^[\x00-\x20]+")
_TAG_START = re.compile(r"<[A-Za-z]")
_LOOSE_TAG = re.compile(r"<([A-Za-z][^\s/>]*)([^>]*)>?")


class ActiveContentRule:
    """Scripts, event handlers, script URLs, frames, objects, forms and refreshes in markup."""

    name = "active_content"
    reads_extract = False

    def check(self, contents: list[Content], context: Context) -> list[list[Finding]]:
        return [_findings(content) for content in contents]


def _findings(content: Content) -> list[Finding]:
    found = [Finding(content.file, "active_content", what) for what in content.active_parts]
    for markup in content.markup:
        if markup.kind != "html":
            continue
        for line, what in active_markup(markup.text, markup.scan):
            where = (
                f"line {line}"
                if markup.embedded is None
                else f"inside an embedded {markup.embedded} data: URI"
            )
            found.append(Finding(content.file, "active_content", f"{what} ({where})"))
    return found


def active_markup(text: str, scan: HtmlScan | None = None) -> list[tuple[int, str]]:
    """(line, what) for each active thing in the markup (see the module doc); `scan`: its tags,
    if another rule has found them already."""
    found: list[tuple[int, str]] = []
    line_at = LineNumbers(text)
    spans = []
    for tag in (scan or HtmlScan(text)).tags:
        spans.append((tag.start, tag.end))
        if not tag.closing:
            found += [(line_at(tag.start), what) for what in _tag(tag.name, tag.attributes)]
    # a tag start the reader did not take (inside none of its tags, nor the last loose one): to
    # the next `>`, so each character is read loose once at most
    starts = iter(spans)
    span = next(starts, None)
    loose_end = 0
    for m in _TAG_START.finditer(text):
        while span is not None and span[1] <= m.start():
            span = next(starts, None)
        if (span is not None and span[0] <= m.start()) or m.start() < loose_end:
            continue
        loose = _LOOSE_TAG.match(text, m.start())
        if loose:
            loose_end = loose.end()
            found += [(line_at(m.start()), what) for what in _tag(loose.group(1), loose.group(2))]
    return sorted(set(found))


def _tag(name: str, attributes: str) -> list[str]:
    """What is active in one opening tag: its element, its attributes."""
    local = name.lower().rsplit(":", 1)[-1]
    found = []
    if local in ACTIVE_ELEMENTS:
        found.append(f"a <{local}> element")
    attrs: dict[str, str] = {}
    for a in HTML_ATTRIBUTE.finditer(attributes):
        value = a.group(2) or ""
        if value[:1] in "\"'":
            value = value[1:-1]
        attrs.setdefault(a.group(1).lower(), html.unescape(value))
    for attr, value in attrs.items():
        attr_local = attr.rsplit(":", 1)[-1]
        if _EVENT_HANDLER.fullmatch(attr_local):
            found.append(f"an event handler ({attr}) on <{local}>")
        elif (
            attr_local in URL_ATTRIBUTES or attr in URL_ATTRIBUTES or attr_local in ANIMATION_VALUES
        ):
            urls = value.split(";") if attr_local == "values" else [value]
            for url in urls:
                scheme = _SCRIPT_URL.match(_URL_LEADING.sub("", _URL_BREAKS.sub("", url)))
                if scheme:
                    kind = (scheme.group(1) or f"data:{scheme.group(2)}").lower()
                    found.append(
                        f"a {kind}{':' if scheme.group(1) else ''} URL in <{local} {attr}>"
                    )
                    break
    if local == "meta" and attrs.get("http-equiv", "").strip().lower() == "refresh":
        found.append("a <meta http-equiv=refresh>")
    return found
