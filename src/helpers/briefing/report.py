"""The briefing's pages: tables, chart and text as HTML, and the export to HTML and PDF.

The notebook displays what these functions return; the runner turns the executed notebook into a
self-contained HTML page (no code, no prompts, no scripts, nothing fetched from the internet) and
prints that page to an A4 PDF with WeasyPrint.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import functools
import html
import io
import logging
import os
import re
import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.disclosure.labels import TOTAL
from helpers.markup import Html

if TYPE_CHECKING:  # the chart process loads this module, and no pandas
    import pandas as pd


def css() -> str:
    return (
        resources.files("helpers.briefing")
        .joinpath("templates/briefing.css")
        .read_text(encoding="utf-8")
    )


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# ---- typography


_OPENING_AFTER = r"(^|[\s(\[{\u2014\u2013/-])"


def smart_quotes(text: str) -> str:
    """Straight quotes as typographic ones: "a" -> \u201ca\u201d, 'a' -> \u2018a\u2019,
    force's -> force\u2019s.

    A quote at the start or after a space, bracket or dash opens; any other closes (an
    apostrophe is a closing single quote).
    """
    text = re.sub(_OPENING_AFTER + '"', "\\1\u201c", str(text))
    text = text.replace('"', "\u201d")
    text = re.sub(_OPENING_AFTER + "'", "\\1\u2018", text)
    return text.replace("'", "\u2019")


def text_html(text: object) -> str:
    """Plain text for the page: typographic quotes, then escaped."""
    return esc(smart_quotes(str(text)))


def as_number(value: object) -> int | None:
    """A released cell as a whole number (`19,626` -> 19626), or None for a withheld or other
    cell."""
    text = str(value).replace(",", "")
    return int(text) if text.isdigit() else None


def thousands(value: object) -> str:
    """A whole number written with thousands separators (`19626` -> `19,626`), as published
    statistics write numbers; anything else (`<5`, `[c]`, a year heading) as it is. In the
    released tables it also keeps a large count from reading as a six-digit identifier (a nominal
    number)."""
    text = str(value)
    return f"{int(text):,}" if text.isdigit() else text


# ---- pieces of the page


def parts(*fragments: str) -> Html:
    """Several fragments displayed as one, in order (one notebook cell for a part of the
    briefing)."""
    return Html("".join(str(fragment) for fragment in fragments))


def is_withheld(value: object) -> bool:
    """A released cell that stands for a withheld figure: `<5` (a small number) or `[c]`."""
    text = str(value)
    return text.startswith("<") or text == "[c]"


def table_html(
    display: pd.DataFrame,
    caption: str,
    number: int | None = None,
    notes: list[str] | None = None,
    suppressed_marks: tuple[str, ...] = (),
) -> Html:
    """A released table: first column the row labels, a `Total` row and column in bold, whole
    numbers with thousands separators, withheld cells marked for the eye and for screen readers."""
    corner = display.index.name or ""
    head = "".join(f'<th scope="col"{_total_class(c)}>{text_html(c)}</th>' for c in display.columns)
    rows = []
    for label, row in display.iterrows():  # a released table has a handful of rows
        cells = "".join(
            _cell_html(column, value, suppressed_marks) for column, value in row.items()
        )
        row_class = (
            ' class="total"' if label == TOTAL else ' class="part"' if is_part_row(label) else ""
        )
        rows.append(f'<tr{row_class}><th scope="row">{text_html(label)}</th>{cells}</tr>')
    title = f"Table {number}: {caption}" if number else caption
    notes_html = "".join(f'<p class="notes">{text_html(note)}</p>' for note in (notes or []))
    return Html(
        f'<figure class="{"table short" if len(rows) <= SHORT_TABLE else "table"}">'
        f"<figcaption>{text_html(title)}</figcaption>"
        '<table class="figures"><thead><tr>'
        f'<th scope="col" class="corner">{text_html(corner)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{notes_html}</figure>"
    )


#: a table of at most so many rows is printed on one page (a longer one runs on: briefing.css)
SHORT_TABLE = 8


def is_part_row(label: object) -> bool:
    """A row that is part of the row above (`of whom ...`, `of which ...`): indented under it."""
    return str(label).startswith(("of whom", "of which"))


def _cell_html(column: object, value: object, suppressed_marks: tuple[str, ...]) -> str:
    classes = " ".join(
        filter(
            None,
            [
                "total" if column == TOTAL else "",
                "suppressed" if str(value) in suppressed_marks or is_withheld(value) else "",
            ],
        )
    )
    klass = f' class="{classes}"' if classes else ""
    return f"<td{klass}>{esc(thousands(value))}</td>"


def _total_class(column: object) -> str:
    return ' class="total"' if column == TOTAL else ""


#: the typefaces of the page's text (briefing.css), for the words of its charts: a chart lays out
#: its words in the first of them the machine has, and names them all for the reader's browser,
#: which takes the first it has (Liberation Sans is metric-compatible with Arial and Helvetica)
FONTS = ["Arial", "Helvetica", "Liberation Sans", "DejaVu Sans"]


def figure_svg(figure, tight_box: bool = True) -> bytes:
    """A matplotlib figure as SVG: vector, so it is sharp printed and at any zoom, and its words
    are text in the page's typefaces. Cheaper than a 200 dpi PNG, which drew every glyph into
    1,400 by 700 pixels and compressed them (docs/performance.md). The same figure gives the same
    bytes (no date, no creator, fixed element IDs). `tight_box`: the saved page fitted to what
    is drawn, a legend beside the axes too (a layout pass more; a figure that `tight_layout`
    fitted, with nothing outside it, does without)."""
    # here, not at the top: the runner imports this module to export, and never draws
    import matplotlib
    import matplotlib.style
    from matplotlib.typing import RcKeyType

    style: dict[RcKeyType, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": "foi-briefing",
        "font.sans-serif": FONTS,
    }
    buffer = io.BytesIO()
    # matplotlib's defaults whatever the kernel's (a notebook's own style), and the names written
    # for a "sans-serif" word, read here
    with matplotlib.style.context("default"), matplotlib.rc_context(style):
        figure.savefig(
            buffer,
            format="svg",
            bbox_inches="tight" if tight_box else None,
            metadata={"Date": None, "Creator": None},
        )
    return buffer.getvalue()


def figure_html(
    figure, caption: str, alt: str, number: int | None = None, notes: list[str] | None = None
) -> Html:
    """A matplotlib figure (or its SVG, drawn already) embedded as SVG (no file, no link), with
    its caption and alt text."""
    svg = figure if isinstance(figure, bytes) else figure_svg(figure)
    data = base64.b64encode(svg).decode("ascii")
    title = f"Figure {number}: {caption}" if number else caption
    notes_html = "".join(f'<p class="notes">{text_html(note)}</p>' for note in (notes or []))
    return Html(
        f'<figure class="chart"><figcaption>{text_html(title)}</figcaption>'
        f'<img alt="{text_html(alt)}" src="data:image/svg+xml;base64,{data}"/>{notes_html}</figure>'
    )


def section(heading: str, *paragraphs: str, new_page: bool = False, raw: bool = False) -> Html:
    """A heading and paragraphs (plain text, escaped, unless `raw`)."""
    klass = ' class="new-page"' if new_page else ""
    body = "".join(p if raw else f"<p>{text_html(p)}</p>" for p in paragraphs)
    return Html(f"<h2{klass}>{text_html(heading)}</h2>{body}")


def paragraphs(*texts: str) -> Html:
    return Html("".join(f"<p>{text_html(t)}</p>" for t in texts))


def bullet_list(items: list[str], ordered: bool = False, klass: str = "") -> Html:
    tag = "ol" if ordered else "ul"
    cls = f' class="{klass}"' if klass else ""
    return Html(f"<{tag}{cls}>" + "".join(f"<li>{text_html(i)}</li>" for i in items) + f"</{tag}>")


def definitions(items: dict[str, str]) -> Html:
    """Terms and their definitions; each pair kept together on a printed page."""
    pairs = "".join(
        f"<div><dt>{text_html(k)}</dt><dd>{text_html(v)}</dd></div>" for k, v in items.items()
    )
    return Html(f'<dl class="definitions">{pairs}</dl>')


# ---- export


#: the page's policy for a browser: no script, nothing fetched (its own inline styles and `data:`
#: images only), no form, no `<base>`, and so no frame (`default-src`). `frame-ancestors 'none'`
#: is for the web server's header: a browser ignores it in a `<meta>` (README.md)
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def briefing_page(body: str, title: str) -> str:
    """The whole page: our styles inline, no script, nothing loaded from elsewhere, and a
    Content-Security-Policy that says so to the browser (first, before anything it governs)."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8"/>\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}"/>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        f"<title>{esc(title)}</title>\n<style>\n{css()}\n</style>\n</head>\n"
        f'<body>\n<main class="briefing">\n{body}\n</main>\n</body>\n</html>\n'
    )


def notebook_body(notebook) -> str:
    """The displayed outputs of an executed notebook, as HTML: no code, prompts, logs or errors.

    Only rich `display_data`/`execute_result` outputs are kept: printed text, warnings and
    tracebacks are for the restricted executed notebook, never for the shared briefing.
    """
    notebook = _shareable_outputs(notebook)
    with _EXPORTING:
        body, _ = _exporter().from_notebook_node(notebook)
    return body


#: one export at a time in a process: a batch's threads share the exporter, whose preprocessors
#: are not written to be used by two threads at once (an export is short: docs/performance.md)
_EXPORTING = threading.RLock()
#: one PDF at a time: WeasyPrint is not known to be thread-safe, and `_fixed_font_timestamps`
#: sets an environment variable for the write
_PRINTING = threading.RLock()


@functools.cache
def _exporter():
    """One exporter per process: its templates are loaded once, not for every request."""
    # here, not at the top: only the export needs nbconvert (not the kernel, which imports this)
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class BriefingExporter(HTMLExporter):
        """HTMLExporter less its last pass, which parses the whole page again (BeautifulSoup,
        in Python) to give alt text to images without any and `tabindex` to JupyterLab's cell
        wrappers, then writes it out again: the briefing's one image has its alt text
        (`figure_html`) and the basic template has no such wrappers. The pass was a good part
        of every export, more of a process's first (compiling its CSS selectors; figures in
        docs/performance.md). The rest is HTMLExporter's own; a test holds the page to
        HTMLExporter's, as that pass would write it. It copies nbconvert's internals: listed
        with their versions in `helpers.run.jupyter_compat.WRITTEN_FOR`, pinned by
        tests/test_jupyter_compat.py."""

        def from_notebook_node(self, nb, resources=None, **kw):
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return BriefingExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=False,
        exclude_raw=True,
    )


def _shareable_outputs(notebook):
    notebook = copy.deepcopy(notebook)
    kept_cells = []
    for cell in notebook.cells:
        if "internal" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                output
                for output in cell.outputs
                if output.get("output_type") in {"display_data", "execute_result"}
                and ({"text/html", "image/png"} & set(output.get("data", {})))
            ]
            for output in cell.outputs:  # keep only the rich form
                output["data"] = {
                    k: v for k, v in output["data"].items() if k in {"text/html", "image/png"}
                }
            if not cell.outputs:  # nothing to show (papermill's injected parameters, set-up cells)
                continue
        if cell.cell_type == "markdown" and "parameters" in cell.get("metadata", {}).get(
            "tags", []
        ):
            continue
        kept_cells.append(cell)
    notebook.cells = kept_cells
    return notebook


def warm_up_export() -> None:
    """Export an empty notebook: a process's first export costs more than the next (the
    exporter's templates loaded and compiled). The runner does it while the notebook runs."""
    import nbformat  # here, not at the top: only the export needs it

    notebook_body(nbformat.v4.new_notebook())


def export_html(notebook_path: Path, html_path: Path, title: str) -> Path:
    import nbformat  # here, not at the top: only the export needs it

    notebook = nbformat.read(notebook_path, as_version=4)
    page = briefing_page(notebook_body(notebook), title)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(page, encoding="utf-8")
    return html_path


#: a last page filled less than this is "near-empty": the export tries the compact layout
NEAR_EMPTY = 0.25


def export_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print the briefing to A4 with WeasyPrint, fetching nothing from outside the page.

    When the normal layout leaves a near-empty last page, the compact print layout (slightly
    smaller type and spacing, `html.compact` in the stylesheet) is used instead if it saves the
    page or fills the last one better.
    """
    with _PRINTING:
        return _export_pdf(html_path, pdf_path)


def _export_pdf(html_path: Path, pdf_path: Path) -> Path:
    page = Path(html_path).read_text(encoding="utf-8")
    document = render_pdf(page, html_path)
    if len(document.pages) > 1 and last_page_fill(document) < NEAR_EMPTY:
        compact = render_pdf(compact_page(page), html_path)
        if len(compact.pages) < len(document.pages) or last_page_fill(compact) > last_page_fill(
            document
        ):
            document = compact
    # no creation date and a fixed identifier: the same briefing gives the same bytes
    with _fixed_font_timestamps():
        document.write_pdf(str(pdf_path), pdf_identifier=b"foi-briefing", uncompressed_pdf=False)
    return pdf_path


@contextlib.contextmanager
def _fixed_font_timestamps():
    """The fonts embedded in the PDF are subsets made as it is written; fontTools stamps each
    with the time it was made (its `head` table's modified date), unless SOURCE_DATE_EPOCH (the
    reproducible-builds convention) gives one: then two runs a second apart differ in those bytes
    only. Set for the write (1970-01-01), a user's own value kept."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def render_pdf(page: str, html_path: Path):
    """Lay the page out for print (a WeasyPrint document)."""
    # here, not at the top: only the PDF needs WeasyPrint
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # the page is self-contained: embedded images only; any other URL is an error, never a fetch
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(
        string=page, base_url=str(html_path), url_fetcher=fetcher, media_type="print"
    ).render()


def compact_page(page: str) -> str:
    """The same page with the compact print layout switched on."""
    return page.replace('<html lang="en-GB">', '<html lang="en-GB" class="compact">', 1)


def last_page_fill(document) -> float:
    """How much of the last page's text area is used, from 0 to 1 (lines and images)."""
    return page_fill(document.pages[-1])


def page_fill(page) -> float:
    """How much of a laid-out page's text area is used, from 0 to 1: down to its lowest line or
    image (a page that ends early, before something too tall to fit, shows as a low fill)."""
    box = page._page_box
    top, height = box.content_box_y(), box.height
    bottoms = [
        child.position_y + child.margin_height()
        for root in box.children
        if type(root).__name__ == "BlockBox"
        for child in root.descendants()
        if type(child).__name__ in {"LineBox", "InlineReplacedBox", "BlockReplacedBox"}
    ]
    return max(0.0, min(1.0, (max(bottoms, default=top) - top) / height))


# ---- words


def count_phrase(value: str, singular: str, plural: str) -> str:
    """A released figure in a sentence: `18 people`, `fewer than 5 people`, `no people`."""
    value = str(value)
    if value.startswith("<"):
        return f"fewer than {value[1:]} {plural}"
    if value == "[c]":
        return f"a number of {plural} withheld to protect smaller figures"
    if value == "0":
        return f"no {plural}"
    if value == "1":
        return f"1 {singular}"
    return f"{value} {plural}"


def long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def masthead(params, force_name: str = "the force") -> Html:
    received = f"Received {long_date(params.received)}. " if params.received else ""
    return Html(
        '<header class="masthead">'
        f'<p class="kicker">Freedom of Information request {esc(params.reference)}</p>'
        f"<h1>{text_html(params.title)}</h1>"
        f'<p class="meta">{text_html(received)}Figures from {text_html(force_name)}'
        "\u2019s crime records, as extracted on "
        f"{esc(long_date(params.extracts_taken_on))}.</p>"
        "</header>"
    )


# ---- drafts and the public index


#: the mark a draft's page carries until it is published (`foi-briefing log publish`): a run
#: makes a draft, and its page must not be mistaken for the published release
DRAFT_MARK = (
    '<p class="draft-mark" role="note" style="border:3px solid #b00020;color:#b00020;'
    'padding:0.5em 1em;font-weight:bold;text-align:center">'
    "DRAFT — not yet published. This briefing is a draft for review: it is not the released "
    "response until it is published with foi-briefing log publish.</p>\n"
)
_MAIN = '<main class="briefing">\n'


def with_draft_mark(page: str) -> str:
    """The page with the draft mark at the top of its main part."""
    if page.count(_MAIN) != 1:
        raise ValueError("not a briefing page: no single main part to mark as a draft")
    return page.replace(_MAIN, _MAIN + DRAFT_MARK, 1)


def export_draft_html(clean_html: Path, draft_html: Path) -> Path:
    """The draft's page (`release/briefing.html`): the page to be published, marked as a draft."""
    page = Path(clean_html).read_text(encoding="utf-8")
    draft_html.parent.mkdir(parents=True, exist_ok=True)
    draft_html.write_text(with_draft_mark(page), encoding="utf-8")
    return draft_html


def index_page(releases: list[dict[str, Any]], title: str = "Published FOI briefings") -> str:
    """The public index of the published releases, newest first: each one's reference, title,
    date and links (given relative to the index). Every text escaped; the briefing's
    Content-Security-Policy, no script, nothing fetched."""
    rows = []
    for release in releases:
        links = [f'<a href="{esc(href)}">{esc(label)}</a>' for label, href in release["links"]]
        rows.append(
            f"<tr><td>{esc(release['reference'])}</td><td>{esc(release['title'])}</td>"
            f"<td>{esc(release['date'])}</td><td>{' · '.join(links)}</td></tr>"
        )
    body = f"<h1>{esc(title)}</h1>\n" + (
        '<table class="index">\n<thead><tr><th scope="col">Reference</th>'
        '<th scope="col">Title</th><th scope="col">Published</th>'
        '<th scope="col">Files</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
        if rows
        else "<p>Nothing has been published yet.</p>"
    )
    return briefing_page(body, title)
