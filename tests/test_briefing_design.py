"""The briefing as a reader gets it: words built from released figures only, tables, the chart,
typography and the printed page."""

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.briefing import charts, narrative, report
from helpers.extracts.profile import profile_sources
from helpers.project import project_root
from helpers.request import tables as response
from helpers.request.parameters import (
    EITHER_ROW,
    HUNTER_ROW,
    NO_HUNTER_ROW,
    VIGILANTE_ROW,
    read_parameters,
)

PARAMS = read_parameters(project_root() / "parameters" / "20180075.yaml")
S15 = PARAMS.charge_groups["section_15"].label
ATTEMPT = PARAMS.charge_groups["attempt_section_15"].label
COLUMN = response.people_column(PARAMS)


def released(people=("18", "<5", "21", "<5"), outcomes=None, review=("102", "14", "0", "0"), files=("74,499", "0"), migrated="8,542") -> response.Released:
    """A Released with the given display values, as disclosure control leaves them."""
    tables = {
        "people_charged": pd.DataFrame({COLUMN: list(people)}, index=pd.Index([S15, ATTEMPT, EITHER_ROW, VIGILANTE_ROW], name="Offence")),
        "offences_by_year": pd.DataFrame({"2015": ["0", "27", "27"], "Total": ["9", "87", "96"]}, index=[HUNTER_ROW, NO_HUNTER_ROW, "Total"]),
        "outcomes_by_year": outcomes if outcomes is not None else OUTCOMES,
        "evidence_review": pd.DataFrame({"Crimes": list(review)}, index=[response.SEARCHED_ROW, response.CANDIDATES_ROW, response.REVIEWED_ROW, response.OVERTURNED_ROW]),
        "data_quality_files": pd.DataFrame({response.RECORDS_READ: ["70,000", "4,499", files[0]], response.RECORDS_SET_ASIDE: ["0", files[1], files[1]]}, index=["a.csv", "b.csv", "Total"]),
        "data_quality_merging": pd.DataFrame({"Records": [migrated]}, index=[response.migrated_row(profile_sources())]),
    }
    return response.Released(SimpleNamespace(tables=tables), titles={})


OUTCOMES = pd.DataFrame(
    {"2015": ["7", "<5", "12", "[c]", "27"], "2016": ["10", "0", "8", "<5", "29"], "2017": ["13", "<5", "13", "[c]", "40"], "Total": ["30", "<5", "33", "[c]", "96"]},
    index=pd.Index(["Charged/summonsed", "Out-of-court (formal)", "Evidential difficulties", "Other outcomes", "Total"], name="Outcome group"),
)


# ---- the answer: one sentence per question, in order, from released figures


def test_each_question_is_answered_in_order_from_the_released_table():
    sentences = narrative.answers(PARAMS, released())
    assert sentences == [
        "In 2017 we charged 18 people with meeting a child following sexual grooming (s15 Sexual Offences Act 2003).",
        "In 2017 we charged fewer than 5 people with attempting to meet a child following sexual grooming (s1(1) Criminal Attempts Act 1981).",
        "Of the 21 people charged with either offence, fewer than 5 were charged on a crime whose record shows "
        "evidence from a so-called \u201cpaedophile hunter\u201d group (an online child abuse activist group).",
    ]


def test_a_withheld_total_is_never_quoted_and_one_person_is_singular():
    sentences = narrative.answers(PARAMS, released(people=("[c]", "<5", "[c]", "1")))
    assert sentences[0] == "In 2017 we charged a number of people withheld to protect smaller figures with meeting a child following sexual grooming (s15 Sexual Offences Act 2003)."
    assert sentences[2].startswith("Of the people charged with either offence, 1 was charged on a crime")


def test_the_answers_are_numbered_like_the_questions_only_when_there_is_one_per_question():
    html = narrative.request_and_answer(PARAMS, released())
    assert '<ol class="answers">' in html and html.count("<li>") == 3 + 3 + 3  # questions, answers, caveats
    fewer = PARAMS.model_copy(update={"questions": ["How many people were charged?"]})
    assert '<ul class="answers">' in narrative.request_and_answer(fewer, released())


def test_the_key_facts_show_the_released_figures_with_what_they_count():
    html = narrative.key_facts(PARAMS, released())
    assert html.count('class="figure"') == 3
    assert '<p class="figure">18</p>' in html and html.count('<p class="figure">&lt;5</p>') == 2
    assert "people charged in 2017 with meeting a child" in html
    # the figure reads first ("<5 of the 21 people charged: ..."), so no verb has to agree with "<5"
    assert "of the 21 people charged: the crime they were charged on shows evidence from a so-called" in html
    assert " were charged on a crime" not in html


def test_the_review_time_comes_from_the_released_count_of_matches():
    assert narrative.review_time("14", 5, 5) == "about 1.5 hours"
    assert narrative.review_time("1,200", 5, 5) == "about 100 hours"
    assert narrative.review_time("<5", 5, 5) == "under 1 hour"
    assert narrative.review_time("<10", 20, 10) == "at most 3 hours"  # 9 at most: 3 hours exactly
    assert narrative.review_time("<13", 5, 13) == "at most 1 hour"
    assert narrative.review_time("[c]", 5, 5) == ""
    assert narrative.review_time("12", 5, 5) == "about 1 hour"  # an hour exactly: not "under"
    assert narrative.review_time("11", 5, 5) == "under 1 hour"


def test_the_evidence_section_never_quotes_the_exact_number_of_matches():
    # 13 matches in truth (about 1.5 hours), but the released table withholds it
    reviewed = SimpleNamespace(outcome=SimpleNamespace(reviewed=0), candidates=list(range(13)), run=SimpleNamespace(review_again={}))
    html = narrative.evidence_method(PARAMS, released(review=("102", "<5", "0", "0")), reviewed)
    assert "under 1 hour" in html and "1.5" not in html and "13" not in html


S12 = "the 18 hours that section 12 of the Freedom of Information Act allows"


@pytest.mark.parametrize(
    ("released", "minutes", "sentence"),
    [
        ("14", 5, f"Checking every match by hand takes about 1.5 hours at 5 minutes a record, within {S12}."),
        ("1,200", 5, f"Checking every match by hand would take about 100 hours at 5 minutes a record, more than {S12}."),
        ("<5", 5, f"Checking every match by hand takes under 1 hour at 5 minutes a record, within {S12}."),
        # 1 to 4 matches at 5 hours each: 5 to 20 hours, on both sides of the limit
        ("<5", 300, "Checking every match by hand takes at most 20 hours at 300 minutes a record."),
        ("<5", 1200, f"Checking every match by hand would take at most 80 hours at 1200 minutes a record, more than {S12}."),
        ("[c]", 5, "Checking a match by hand takes 5 minutes; the time for them all is not given, as the number of matches is withheld."),
    ],
)
def test_the_section_12_sentence_says_only_what_the_released_count_of_matches_shows(released, minutes, sentence):
    """Whether the time is within section 12's limit comes from the released count alone: a
    withheld count, or a range of counts on both sides of the limit, is compared with nothing
    (the exact count said whether it was within: a bound on a withheld figure)."""
    assert narrative.review_cost_text(released, minutes, 5) == sentence


def test_the_evidence_section_compares_a_withheld_count_of_matches_with_nothing():
    reviewed = SimpleNamespace(outcome=SimpleNamespace(reviewed=0), candidates=list(range(13)), run=SimpleNamespace(review_again={}))
    html = narrative.evidence_method(PARAMS, released(review=("102", "[c]", "0", "0")), reviewed)
    assert "section 12" not in html and "the number of matches is withheld" in html


def test_the_data_quality_section_quotes_the_released_totals():
    html = narrative.data_quality(PARAMS, released())
    assert "We read 74,499 records from the two extract files (Table 5). None was set aside." in html
    assert "8,542 crimes moved from the old system to the new one" in html
    assert "Fewer than 5 were set aside." in narrative.data_quality(PARAMS, released(files=("74,499", "<5")))


@pytest.mark.parametrize(("value", "sentence"), [("0", "None was set aside."), ("1", "1 was set aside."), ("1,234", "1,234 were set aside."), ("[c]", "Some were set aside; their number is withheld to protect smaller figures.")])
def test_set_aside_sentences(value, sentence):
    assert narrative.set_aside_sentence(value) == sentence


def test_a_class_is_named_in_a_sentence_by_its_listed_title_without_its_closing_qualifier():
    # the list's 088/01 is "... grooming etc. (offender aged 18 or over and victim aged under 16)"
    assert narrative.classes_text(SimpleNamespace(legacy=SimpleNamespace(offence_classes=["088/01", "088/02"]), class_titles={})) == (
        "088/01 (meeting a female child following sexual grooming) and 088/02 (meeting a male child following sexual grooming)"
    )
    from helpers.request.tables import prose_title

    assert prose_title("046/00") == "Stealing from shops and stalls"  # "(shoplifting)" left to the code
    assert prose_title("005/14") == "Possession of firearms etc., with intent to endanger life"
    assert narrative.classes_text(SimpleNamespace(legacy=SimpleNamespace(offence_classes=["999/99"]), class_titles={})) == "999/99"


def test_the_systems_and_their_migration_are_described_from_the_source_definitions():
    from helpers.extracts.profile import profile_sources

    CMS, CONNECT = profile_sources()

    text = narrative.systems_text((CMS, CONNECT))
    assert text.startswith("We used two crime systems in this period: the legacy Crime Management System (CMS)")
    assert "A crime migrated from CMS to Connect at the switch-over is counted once, as it stands now on Connect" in text
    assert narrative.systems_text((CONNECT,)).startswith("We used one crime system: Connect, which")


# ---- typography and tables


@pytest.mark.parametrize(
    ("text", "typeset"),
    [
        ("so-called 'paedophile hunter' groups", "so-called \u2018paedophile hunter\u2019 groups"),
        ('the force\'s "no crimed" cases', "the force\u2019s \u201cno crimed\u201d cases"),
        ("('a')", "(\u2018a\u2019)"),
    ],
)
def test_straight_quotes_become_typographic(text, typeset):
    assert report.smart_quotes(text) == typeset


@pytest.mark.parametrize(("value", "shown"), [("19626", "19,626"), ("999", "999"), ("<5", "<5"), ("[c]", "[c]"), ("1,234", "1,234"), ("0", "0")])
def test_thousands(value, shown):
    assert report.thousands(value) == shown


def test_as_number_reads_released_cells():
    assert [report.as_number(v) for v in ["19,626", "0", "<5", "[c]", ""]] == [19626, 0, None, None, None]


def test_a_table_marks_totals_withheld_cells_and_parts():
    display = pd.DataFrame({"2017": ["18", "<5", "12345"], "Total": ["9", "[c]", "12345"]}, index=pd.Index(["A", "of whom B", "Total"], name="What"))
    html = report.table_html(display, "People's counts", number=1, notes=["A note's text."])
    assert "<figcaption>Table 1: People\u2019s counts</figcaption>" in html
    assert '<td class="suppressed">&lt;5</td>' in html and '<td class="total suppressed">[c]</td>' in html
    assert '<tr class="part"><th scope="row">of whom B</th>' in html
    assert '<tr class="total"><th scope="row">Total</th><td>12,345</td><td class="total">12,345</td>' in html
    assert '<p class="notes">A note\u2019s text.</p>' in html


def test_definitions_keep_each_term_with_its_text():
    html = report.definitions({"Which date": "Recorded."})
    assert html == '<dl class="definitions"><div><dt>Which date</dt><dd>Recorded.</dd></div></dl>'


# ---- the chart never shows a withheld figure


def test_the_chart_segments_are_shown_figures_and_one_derivable_withheld_remainder():
    segments = charts.outcome_segments(OUTCOMES)
    assert list(segments.columns) == ["Charged/summonsed", "Evidential difficulties", charts.WITHHELD]
    assert segments.loc["2015"].tolist() == [7, 12, 8]  # 27 - 7 - 12: anyone can work it out from Table 3
    assert segments.loc["2016"].tolist() == [10, 8, 11]  # 29 - 10 - 0 - 8


def test_a_year_whose_total_is_withheld_gets_no_withheld_segment():
    outcomes = OUTCOMES.copy()
    outcomes.loc["Total", "2016"] = "[c]"
    assert charts.outcome_segments(outcomes).loc["2016", charts.WITHHELD] == 0


def test_the_drawn_bars_are_exactly_the_segments_and_the_labels_are_released_figures():
    figure = charts.offences_and_outcomes_chart(released())
    axis = figure.axes[0]
    heights = sorted(round(patch.get_height()) for patch in axis.patches)
    assert heights == sorted([7, 10, 13, 12, 8, 13, 8, 11, 14])
    labels = {text.get_text() for text in axis.texts}
    shown = {value for value in OUTCOMES.to_numpy().ravel() if report.as_number(value) is not None}
    assert labels <= shown  # no label that is not a released figure (no 8, 11 or 14 withheld remainders)
    legend = [text.get_text() for text in axis.get_legend().get_texts()]
    assert legend == [charts.WITHHELD, "Evidential difficulties", "Charged/summonsed"]  # as stacked, top first


def test_the_chart_description_says_only_what_the_table_shows():
    text = charts.chart_description(released())
    assert "2015: 27 offences, of which charged/summonsed 7, evidential difficulties 12; the rest in groups withheld" in text
    numbers = set(re.findall(r"\d+(?:,\d{3})*", text))
    shown = {value for value in OUTCOMES.to_numpy().ravel() if report.as_number(value) is not None}
    assert numbers <= shown | set(OUTCOMES.columns) | {"3"}  # the years, and "Table 3"
    assert "11" not in numbers and "14" not in numbers  # the withheld remainders of 2016 and 2017


def test_the_palette_steps_in_lightness_so_greyscale_keeps_the_groups_apart():
    def lightness(colour: str) -> float:
        red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    first_four = [lightness(colour) for colour in charts.PALETTE[:4]] + [lightness(charts.WITHHELD_COLOUR)]
    assert all(b - a >= 0.12 for a, b in zip(first_four, first_four[1:]))


# ---- the printed page


def _page(paragraphs: int) -> str:
    text = "".join(f"<p>Paragraph {n} of the briefing, long enough to fill a line or two of an A4 page when printed.</p>" for n in range(paragraphs))
    return report.briefing_page(text, "t")


def test_last_page_fill_measures_the_used_part_of_the_last_page(tmp_path):
    short = report.render_pdf(_page(3), tmp_path / "a.html")
    longer = report.render_pdf(_page(12), tmp_path / "a.html")
    assert 0 < report.last_page_fill(short) < report.last_page_fill(longer) < 0.5


def test_a_near_empty_last_page_is_avoided_with_the_compact_layout(tmp_path):
    # find a length whose normal layout spills a line or two onto a second page
    for paragraphs in range(30, 90):
        document = report.render_pdf(_page(paragraphs), tmp_path / "b.html")
        if len(document.pages) == 2:
            break
    assert report.last_page_fill(document) < report.NEAR_EMPTY
    html_path = tmp_path / "b.html"
    html_path.write_text(_page(paragraphs), encoding="utf-8")
    report.export_pdf(html_path, tmp_path / "b.pdf")
    from pypdf import PdfReader

    assert len(PdfReader(tmp_path / "b.pdf").pages) == 1
    assert 'class="compact"' in report.compact_page(_page(1)) and 'class="compact"' not in _page(1)


def _page_text(page) -> str:
    return " ".join(box.text for box in page._page_box.descendants() if type(box).__name__ == "TextBox")


def _long_table_after_text(tmp_path):
    """Paragraphs filling about half of page 1, then a table too tall for the rest of it."""
    rows = pd.DataFrame({"Crimes": [str(n) for n in range(1, 31)] + ["465"]}, index=pd.Index([f"Row {n}" for n in range(1, 31)] + ["Total"], name="Outcome"))
    for paragraphs in range(10, 60):
        text = "".join(f"<p>Paragraph {n} of the briefing, long enough to fill a line or two of an A4 page when printed.</p>" for n in range(paragraphs))
        if report.page_fill(report.render_pdf(report.briefing_page(text, "t"), tmp_path / "c.html").pages[0]) > 0.5:
            break
    page = report.briefing_page(text + report.table_html(rows, "A long table", number=1, notes=["A note on the table."]), "t")
    return report.render_pdf(page, tmp_path / "c.html")


def test_a_table_too_tall_for_the_rest_of_a_page_runs_on_rather_than_leave_it_half_blank(tmp_path):
    document = _long_table_after_text(tmp_path)
    first, second = document.pages[0], document.pages[1]
    assert "Table 1: A long table" in _page_text(first)
    assert report.page_fill(first) > 0.9
    # the heading row repeats; no part holds fewer than two rows; the notes end the table
    assert _page_text(second).count("Outcome") == 1 and "Row 1 " not in _page_text(second) + " "
    assert "Row 30" in _page_text(second) and "Total" in _page_text(second) and "A note on the table." in _page_text(second)
    assert "Row 1 " in _page_text(first) + " " and "Row 2 " in _page_text(first) + " "


def _table_parts(tmp_path, rows: int, paragraphs: int) -> list[str]:
    """The text of each page of a table of `rows` rows and a Total after `paragraphs` paragraphs."""
    table = pd.DataFrame({"Crimes": [str(n) for n in range(1, rows + 1)] + ["999"]}, index=pd.Index([f"Row {n}" for n in range(1, rows + 1)] + ["Total"], name="Outcome"))
    text = "".join(f"<p>Paragraph {n} of the briefing, long enough to fill a line or two of an A4 page when printed.</p>" for n in range(paragraphs))
    page = report.briefing_page(text + report.table_html(table, "A table", number=1), "t")
    return [_page_text(p) for p in report.render_pdf(page, tmp_path / "c.html").pages]


def test_a_short_table_is_never_split_and_a_long_ones_last_part_has_three_rows_or_more(tmp_path):
    """Found by a reader of the PDFs: a table of six rows split three and three across two pages,
    and a table of 36 months left "Dec 2018" and "Total" alone on a page."""
    split_short = split_long = 0
    for paragraphs in range(20, 44, 2):  # the table starts lower and lower on the first page
        pages = _table_parts(tmp_path, 6, paragraphs)
        holding = [text for text in pages if "Row " in text]
        assert len(holding) == 1, f"a table of 6 rows split after {paragraphs} paragraphs"
        split_short += len(pages) > 1 and "Table 1" in pages[-1]
        pages = _table_parts(tmp_path, 20, paragraphs)
        if len([text for text in pages if "Row " in text or "Total" in text]) > 1:
            split_long += 1
            last = pages[-1]
            assert len(re.findall(r"Row \d+ ", last + " ")) + ("Total" in last) >= 3, (paragraphs, last)
    assert split_short and split_long  # the cases the rules are about did happen


def test_a_long_answer_runs_on_an_answer_at_a_time_rather_than_leave_page_one_part_blank(tmp_path):
    """Found by a reader of the PDFs: seven answers moved whole to page 2, leaving a quarter of
    page 1 blank."""
    text = "".join(f"<p>Paragraph {n} of the briefing, long enough to fill a line or two of an A4 page when printed.</p>" for n in range(24))
    answers = "".join(f"<li>Answer {n}: " + "a sentence of the answer, " * 12 + "ending here.</li>" for n in range(1, 9))
    page = report.briefing_page(text + f'<div class="summary"><ol class="answers">{answers}</ol></div>', "t")
    pages = [_page_text(p) for p in report.render_pdf(page, tmp_path / "c.html").pages]
    assert len(pages) == 2 and "Answer 1:" in pages[0] and "Answer 8:" in pages[1]
    assert not any(pages[0].count(f"Answer {n}:") and pages[1].count(f"Answer {n}:") for n in range(1, 9))  # none split


def test_the_warm_up_chart_leaves_no_figure_open_and_the_style_as_it_was():
    import matplotlib.pyplot as plt

    before = (plt.get_fignums(), plt.rcParams["font.family"], plt.rcParams["hatch.linewidth"])
    charts.warm_up()
    assert (plt.get_fignums(), plt.rcParams["font.family"], plt.rcParams["hatch.linewidth"]) == before


def test_the_export_warm_up_leaves_the_export_as_it_was(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={"text/html": "<p>Table 1</p>"})])])
    nbformat.write(notebook, tmp_path / "n.ipynb")
    before = report.export_html(tmp_path / "n.ipynb", tmp_path / "a.html", "T").read_text(encoding="utf-8")
    report.warm_up_export()
    assert report.export_html(tmp_path / "n.ipynb", tmp_path / "b.html", "T").read_text(encoding="utf-8") == before
    assert "<p>Table 1</p>" in before


def test_the_briefing_exporter_writes_what_nbconverts_html_exporter_writes():
    """The briefing's exporter skips HTMLExporter's last pass (BeautifulSoup reading the page
    again and writing it out): the page must be the same as that pass would leave it, markdown,
    tables, the chart and an internal cell's hidden output included."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    chart = report.figure_html(charts.offences_and_outcomes_chart(released()), "Offences", alt="A chart", number=1)
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# The request\n\nSome *text* & a [link](#x)."),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={"text/html": str(report.masthead(PARAMS)), "text/plain": "masthead"})]),
        nbformat.v4.new_code_cell("y", metadata={"tags": ["internal"]}, outputs=[nbformat.v4.new_output("stream", name="stdout", text="secret")]),
        nbformat.v4.new_code_cell("z", outputs=[nbformat.v4.new_output("execute_result", data={"text/html": str(chart)}, execution_count=3)]),
    ])
    ours = report.notebook_body(notebook)
    theirs, _ = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, exclude_raw=True).from_notebook_node(report._shareable_outputs(notebook))
    assert str(BeautifulSoup(ours, features="html.parser")) == theirs
    assert "secret" not in ours and 'alt="A chart"' in ours and "The request" in ours


def test_a_withheld_count_of_matches_or_of_offences_still_reads_as_a_sentence():
    """Found by a reviewer: with the search table's candidates withheld ("[c]"), the cost read
    "takes at 5 minutes a record"; with the offences' Total withheld, the context read "a number
    of offences withheld to protect smaller figures of meeting a child ..."."""
    reviewed = SimpleNamespace(outcome=SimpleNamespace(reviewed=0), candidates=list(range(40)), run=SimpleNamespace(review_again={}))
    html = str(narrative.evidence_method(PARAMS, released(review=("102", "[c]", "0", "0")), reviewed))
    # and, since, no word of the limit: whether the withheld count is within it is not released
    assert "Checking a match by hand takes 5 minutes; the time for them all is not given" in html
    withheld = released()
    withheld.tables["offences_by_year"].loc["Total", "Total"] = "[c]"
    text = str(narrative.request_and_answer(PARAMS, withheld))
    assert f"we recorded offences of {PARAMS.offence_description} from 1 January 2015 to 31 December 2017 (their number is withheld to protect smaller figures)." in text


def test_the_offences_classes_and_description_left_out_are_the_defaults_in_the_words():
    """`offence_classes` and `offence_description` have defaults (docs/new-request.md): a file
    without them was checked, then its run stopped on a TypeError (found by a reviewer)."""
    import yaml

    from helpers.request.parameters import validate_parameters

    values = yaml.safe_load((project_root() / "parameters" / "20180075.yaml").read_text(encoding="utf-8"))
    del values["offence_classes"], values["offence_description"]
    params = validate_parameters(values)
    words = str(narrative.request_and_answer(params, released())) + str(narrative.method(params))
    assert f"offences of {params.legacy.offence_description} from" in words
    assert "088/01" in words or "Meeting a child following sexual grooming" in words


# ---- a bar chart's axes fit its words


def _bar_cases():
    from datetime import date

    from helpers.request.measures import time_units

    def periods(kind, start, end):
        return [label for _, label in time_units(kind, start, end, True)]

    return {
        "three years": (periods("year", date(2015, 1, 1), date(2017, 12, 31)), ["1,234", "<5", "987"], "Offences"),
        "one year": (periods("year", date(2017, 1, 1), date(2017, 12, 31)), ["<5"], "Charges"),
        "financial years, the last cut": (periods("financial_year", date(2015, 4, 1), date(2018, 12, 5)), ["120000", "1,500,000", "<5", "[c]"], "People charged"),
        "twelve quarters": (periods("quarter", date(2015, 1, 1), date(2017, 12, 31)), [str(50 + i) if i % 7 else "<5" for i in range(12)], "Offences"),
        "forty-eight months": (periods("month", date(2015, 1, 1), date(2018, 12, 31)), [str(1000 * i + 5) for i in range(48)], "Offences of sexual grooming recorded"),
        "a year to date": (periods("year", date(2016, 1, 1), date(2018, 12, 5)), ["98", "99", "7,777"], "Victims"),
    }


@pytest.mark.parametrize("case", list(_bar_cases()))
def test_a_bar_chart_s_words_are_inside_it_with_tight_layout_s_padding_and_no_more(case):
    """Measured by matplotlib's own layout of every text of the chart, in the fonts its SVG is
    measured in: nothing reaches past the figure's edge, and the margin beside and below the
    words is tight_layout's padding (an axis too small for its figure would fail too)."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    labels, shown, ylabel = _bar_cases()[case]
    figure = charts.bar_chart(labels, shown, ylabel)
    with plt.rc_context({"font.sans-serif": report.FONTS}):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()  # the axis's label is placed when drawn
        drawn = figure.get_tightbbox(canvas.get_renderer())  # in inches
    pad = 1.08 * 10 / 72  # tight_layout's, in inches
    width, height = figure.get_size_inches()
    assert drawn.x0 >= 0 and drawn.y0 >= 0 and drawn.x1 <= width and drawn.y1 <= height, drawn
    # the words beside and below the axes come to the padding, within a point
    assert abs(drawn.x0 - pad) < 1 / 72 and abs(drawn.y0 - pad) < 1 / 72, (drawn.x0 * 72, drawn.y0 * 72)
    assert width - drawn.x1 < pad + 1 / 72 and height - drawn.y1 < pad + 1 / 72


def test_a_bar_chart_s_axis_counts_in_whole_numbers_written_as_the_tables_write_them():
    figure = charts.bar_chart(["2016/17", "2017/18"], ["120000", "1,500,000"], "People charged")
    axis = figure.axes[0]
    marks = [text.get_text() for text in axis.get_yticklabels()]
    assert marks == ["0", "500,000", "1,000,000", "1,500,000"]
    assert axis.yaxis.get_offset_text().get_text() == ""  # no `1e6` above the axis
    assert charts.count_ticks(70.15) == [0, 20, 40, 60] and charts.count_ticks(1.15) == [0, 1]
