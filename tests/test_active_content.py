"""No active content in the briefing, by construction (issue 17, item 1).

A text from the parameters file is escaped wherever it is placed in the page: each payload below,
planted in `offence_description`, a question or the title, goes through the notebook's own display
cells (evaluated as the notebook evaluates them) into the whole page, and comes out as text, shown
as typed, never as markup. The page carries a Content-Security-Policy allowing no script, no
outside fetch, no form and no frame, and passes the gate's active-content rule.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from builders import SAMPLE

from helpers.briefing import narrative, report, sections
from helpers.briefing.charts import chart_description, offences_and_outcomes_chart
from helpers.extracts.load import load_extracts
from helpers.gate.check import RULES
from helpers.gate.readers import read_path
from helpers.gate.rules.active_content import active_markup
from helpers.gate.rules.base import Context
from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import read_parameters

ROOT = project_root()
PARAMS = read_parameters(ROOT / "parameters" / "20180075.yaml")

#: what went through live before (issue 17, "Why"); each sets a mark on the page if it runs
PAYLOADS = {
    "script": "<script>document.documentElement.dataset.ran='script'</script>",
    "svg onload": "<svg onload=\"document.documentElement.dataset.ran='svg'\"></svg>",
    "details ontoggle": "<details open ontoggle=\"document.documentElement.dataset.ran='details'\">x</details>",
    "iframe srcdoc": "<iframe srcdoc=\"<script>parent.document.documentElement.dataset.ran='iframe'</script>\"></iframe>",
    "javascript: link": "<a href=\"javascript:document.documentElement.dataset.ran='link'\">more</a>",
    "link without slashes": '<a href="https:evil.example">more</a>',
    "markdown": "child <13 or *aged* 13_15",
}
#: elements and attributes the briefing itself never has: any in the page came from a payload
LIVE_ELEMENTS = ["script", "svg", "details", "iframe", "a", "object", "embed", "form", "base"]
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)


@functools.cache
def small_extract():
    """The shared sample export where it is, else a small synthetic one: read once. Its
    hunter-group count of 2016 is small, so that Table 2 (whose title holds
    `offence_description`) is named in the disclosure note."""
    folder = SAMPLE
    if not (SAMPLE / "CMS_CRIMES.csv").is_file():
        from helpers.synthetic.generator import generate_extracts

        folder = Path(tempfile.mkdtemp(prefix="active-content-")) / "extracts"
        generate_extracts(folder, n_crimes=5_000)
    return load_extracts(folder)


def notebook_page(params) -> str:
    """The briefing page as a run makes it: the notebook's displayed cells, evaluated as the
    notebook evaluates them, joined into `report.briefing_page` with the run's title."""
    extract = small_extract()
    answers = steps.answer(params, extract)
    released = steps.protect(params, extract, answers)
    names = {
        "report": report,
        "narrative": narrative,
        "sections": sections,
        "params": params,
        "released": released,
        "steps": steps,
        "answers": answers,
        "offences_and_outcomes_chart": offences_and_outcomes_chart,
        "chart_description": chart_description,
    }
    notebook = json.loads((ROOT / "notebooks" / "request_briefing.ipynb").read_text(encoding="utf-8"))
    shown = [
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code" and not {"internal", "parameters"} & set(cell["metadata"].get("tags", []))
    ]
    assert len(shown) == 5, "the notebook's displayed cells"
    body = "\n".join(str(eval(source, dict(names))) for source in shown)  # noqa: S307 - our notebook
    return report.briefing_page(body, f"FOI {params.reference}: {params.title}")


CLEAN = BeautifulSoup(notebook_page(PARAMS), "html.parser")


def planted(place: str, payload: str):
    if place == "offence_description":
        return PARAMS.model_copy(update={"offence_description": payload})
    if place == "question":
        return PARAMS.model_copy(update={"questions": [*PARAMS.questions[:2], f"Of those, {payload}?"]})
    return PARAMS.model_copy(update={"title": f"People charged, {payload}"})


def live_markup(page: str) -> list[str]:
    """Elements the briefing never has, and event-handler attributes, in the parsed page."""
    soup = BeautifulSoup(page, "html.parser")
    found = [f"<{tag.name}>" for tag in soup.find_all(LIVE_ELEMENTS)]
    found += [f"{tag.name} {name}" for tag in soup.find_all(True) for name in tag.attrs if name.lower().startswith("on")]
    return found + [f"href {tag['href']}" for tag in soup.find_all(href=True)]


def test_the_clean_page_has_none_of_the_live_markup_the_payloads_would_make():
    page = notebook_page(PARAMS)
    assert live_markup(page) == []
    # Table 2 is named in the disclosure note (the place `offence_description` went through mistune)
    note = BeautifulSoup(page, "html.parser").select_one("section.protection")
    assert f"Offences of {PARAMS.offence_description} recorded, by year: " in note.get_text()


@pytest.mark.parametrize("place", ["offence_description", "question", "title"])
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_parameters_text_is_shown_as_typed_never_as_markup(place, payload):
    page = notebook_page(planted(place, payload))
    assert live_markup(page) == []
    soup = BeautifulSoup(page, "html.parser")
    # the disclosure note's own emphasis (a table's title), no more
    assert len(soup.find_all(["em", "strong", "code"])) == len(CLEAN.find_all(["em", "strong", "code"]))
    shown = soup.get_text()
    assert payload in shown or report.smart_quotes(payload) in shown  # typographic quotes only
    if place == "offence_description":  # the disclosure note names Table 2 by its title, as typed
        note = soup.select_one("section.protection").get_text()
        assert f"Offences of {payload} recorded, by year: " in note
    if place == "title":  # the page's title too (the browser's tab, the PDF's metadata)
        assert soup.title.get_text() == f"FOI 20180075: People charged, {payload}"
    assert_no_active_content(page)


def assert_no_active_content(page: str) -> None:
    """The gate's rules that read the release alone (but small counts) find nothing in the page."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "briefing.html"
        path.write_text(page, encoding="utf-8")
        content = read_path(path, "briefing.html")
    findings = [f for rule in RULES if not rule.reads_extract and rule.name != "small_count" for f in rule.check([content], Context(5, None))[0]]
    assert findings == []


def test_markdown_in_a_table_title_is_not_rendered_in_the_disclosure_note():
    page = notebook_page(planted("offence_description", PAYLOADS["markdown"]))
    note = BeautifulSoup(page, "html.parser").select_one("section.protection")
    # our emphasis around the whole title, none inside it: `*aged*` and `13_15` stay as typed
    assert [em.get_text() for em in note.find_all("em") if "Offences" in em.get_text()] == ["Offences of child <13 or *aged* 13_15 recorded, by year"]
    assert len(note.find_all("em")) == len(CLEAN.select_one("section.protection").find_all("em"))
    assert "Offences of child &lt;13 or *aged* 13_15 recorded, by year</em>" in page


@pytest.mark.parametrize(
    "text",
    ["A & B &amp; C", "[a link](https://evil.example)", "<https://evil.example>", "`code` and \\*stars\\*", "# heading", "1. one", "line\n\n- item", "a  \nb", "~~struck~~ [^1]", "| a | b |"],
)
def test_any_markdown_in_a_title_is_shown_as_typed_in_the_disclosure_note(text):
    page = notebook_page(planted("offence_description", text))
    note = BeautifulSoup(page, "html.parser").select_one("section.protection")
    flat = " ".join(text.split())  # a line break in a title is a space on the page
    titles = [" ".join(em.get_text().split()) for em in note.find_all("em")]
    assert f"Offences of {flat} recorded, by year" in titles
    clean = CLEAN.select_one("section.protection")
    assert [tag.name for tag in note.find_all(True)] == [tag.name for tag in clean.find_all(True)]


def test_markup_in_the_chart_s_words_is_escaped_in_its_svg():
    """No input's words are drawn today (years, outcome groups, figures), but the SVG writer
    escapes any: in its texts and in what the page says of it (caption, alt text)."""
    import matplotlib.pyplot as plt

    typed = PAYLOADS["script"] + " " + PAYLOADS["svg onload"]
    figure, axis = plt.subplots()
    axis.set_title(typed)
    axis.bar([typed], [1], label=typed)
    axis.legend()
    shown = report.figure_html(figure, caption=typed, alt=typed, number=1)
    plt.close(figure)
    svg = base64.b64decode(shown.split("base64,", 1)[1].split('"', 1)[0]).decode()
    assert "&lt;script&gt;" in svg and "<script" not in svg and active_markup(svg) == []
    assert live_markup(str(shown)) == []
    assert_no_active_content(report.briefing_page(shown, typed))


# ---- the page's Content-Security-Policy


def test_the_page_carries_a_content_security_policy_that_allows_no_script_fetch_form_or_frame():
    page = report.briefing_page("<p>x</p>", "t")
    head = page.split("</head>", 1)[0]
    lines = head.splitlines()
    # first after the character set, before anything it governs
    assert lines[3] == '<meta charset="utf-8"/>'
    assert lines[4] == f'<meta http-equiv="Content-Security-Policy" content="{CSP}"/>'
    policy = dict(d.strip().split(" ", 1) for d in html.unescape(CSP).split(";"))
    assert policy["default-src"] == "'none'" and "script-src" not in policy  # no script at all
    assert policy["form-action"] == policy["base-uri"] == "'none'"
    assert policy["img-src"] == "data:" and policy["style-src"] == "'unsafe-inline'"


def test_the_content_security_policy_does_not_change_the_printed_page(tmp_path):
    """WeasyPrint ignores the policy (it fetches nothing anyway): the PDF is the one it printed
    from the page without it."""
    page = report.briefing_page(str(notebook_page(PARAMS)).split("<main class=\"briefing\">\n", 1)[1].rsplit("\n</main>", 1)[0], "t")
    without = "\n".join(line for line in page.splitlines() if "Content-Security-Policy" not in line) + "\n"
    assert without != page
    with report._fixed_font_timestamps():
        first = report.render_pdf(page, tmp_path / "a.html").write_pdf(pdf_identifier=b"x")
        second = report.render_pdf(without, tmp_path / "a.html").write_pdf(pdf_identifier=b"x")
    assert first == second
