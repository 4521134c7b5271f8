"""The release gate stops each kind of leak, planted one at a time in an otherwise clean release,
and lets the clean release (hashes, zeros, suppressed cells, an embedded chart) through.

The clean release is checked on its own first (`test_the_clean_release_passes`): every other test
changes one thing in it, so a failure there is the planted leak's doing.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import ReleaseGateError
from helpers.extracts.codes import normalise_pnc
from helpers.extracts.profile import profile_sources
from helpers.gate.check import RULES, check_release, check_tables, write_tables
from helpers.gate.manifest import sha256_file, write_manifest
from helpers.gate.readers import Content, Segment, table_csv
from helpers.gate.report import RULE_NAMES, Finding, GateReport
from helpers.gate.rules.copied_text import _release_shingles, find_copied_runs
from helpers.gate.sensitive import FrameSensitive, Sensitive, formats_of

T = 5
#: the shipped profile's identifier forms (`CM/16/0004418`, `PER7028132`, ...): the gate's
#: shapes of a force's identifiers are its profile's
SHIPPED_FORMS = formats_of(profile_sources())

# ---- what the extracts hold

CIRCUMSTANCES = [
    "Neighbourhood Watch coordinator reported youths damaging the bus shelter; \"they were throwing bricks\".",
    "Victim reports Mr Hunter, a neighbour, shouted abuse and threatened him; the hunting knife mentioned was not seen.",
    "Suspect contacted the girl on a social media app over several weeks and arranged to meet her at the retail park.",
]

CRIMES = pd.DataFrame(
    {
        "crime_ref": ["CM/13/0000001", "00000864/16", "00000865/16"],
        "legacy_ref": [None, "CM/14/0004018", None],
        "circumstances": CIRCUMSTANCES,
    }
)
PEOPLE = pd.DataFrame(
    {
        "person_ref": ["408657", "416005", "PER7004775", "PERD0012345", "PER7022778"],
        "legacy_person_ref": [None, None, "404775", None, None],
        # CMS writes YYYY/NNNNNNNC (hand-keyed), Connect YY/NNNNNNC
        "pnc_id": ["2000/0448754A", " 2011/0918215b ", "99/808679E", None, None],
        "surname": ["MCKENZIE", "THOMPSON", "Ní Bhriain", "Okafor", "Thomas"],
        "forenames": ["SIOBHÁN", "AMELIA", "Zoë", "Chidi", "Noah"],
        "date_of_birth": ["24/05/1992", "04/10/1956", "1986-04-25", "2004-02-29", "1951-10-18"],
    }
)


@pytest.fixture(scope="module")
def sensitive() -> FrameSensitive:
    return FrameSensitive(CRIMES, PEOPLE, formats=SHIPPED_FORMS)


# ---- a clean release

# a base64 payload with `/408657+` in it: base64 is not text, the gate must skip it
FAKE_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB/408657+PER7004775/CAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
REAL_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cf0000000301010018dd8db0"
        "0000000049454e44ae426082"
    )
).decode()

TABLE_CSV = "Year,Offences,1,14,15,Total\n2015,27,7,<5,[c],27\n2016,29,10,0,[c],29\n2017,40,13,<5,8,40\nTotal,96,30,[c],20,96\n"


def page(extra: str = "", png: str = FAKE_PNG) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"/><title>FOI 20180075</title>
<style>body {{ font-family: sans-serif; }} td.suppressed {{ color: #555; }}</style></head>
<body><main class="briefing">
<h1 id="top">People charged with meeting a child following sexual grooming, 2017</h1>
<p>Request 20180075 received on 5 February 2018. Offences recorded from 1 January 2015 to
31 December 2017, from extracts taken on 2019-01-01. Published statistics are at www.gov.uk and
on the ONS website.</p>
<p>Outcome types 1, 14 and 15 are Home Office outcome numbers; a suspect is counted once.</p>
<table class="figures"><thead><tr><th>Year</th><th>Offences</th><th>1</th><th>14</th><th>15</th></tr></thead>
<tbody><tr><th>2015</th><td>27</td><td>7</td><td class="suppressed">&lt;5</td><td>[c]</td></tr>
<tr><th>2016</th><td>29</td><td>10</td><td>0</td><td>[c]</td></tr></tbody></table>
<figure class="chart"><img alt="Offences by year" src="data:image/png;base64,{png}"/></figure>
<p><a href="#top">Back to the top</a>. See tables/offences.csv for the figures.</p>
{extra}
</main></body></html>
"""


def make_release(root: Path, html_extra: str = "", pdf_extra: str = "", table: str = TABLE_CSV, manifest: bool = True) -> Path:
    from weasyprint import HTML

    release = root / "release"
    (release / "tables").mkdir(parents=True, exist_ok=True)
    (release / "briefing.html").write_text(page(html_extra), encoding="utf-8")
    HTML(string=page(pdf_extra, png=REAL_PNG)).write_pdf(release / "briefing.pdf")
    (release / "tables" / "offences.csv").write_text(table, encoding="utf-8")
    if manifest:
        write_manifest(
            release,
            reference="20180075",
            parameters={"reference": "20180075", "period_from": date(2015, 1, 1), "disclosure_threshold": T},
            project_version="0.1.0",
            # a real-looking hash that happens to contain a nominal number: not a whole token
            extract_files={"CMS_NOMINALS.csv": "ab" + "408657" + "c" * 56, "connect_persons.csv": hashlib.sha256(b"x").hexdigest()},
            run_time="2026-01-01T12:00:00+00:00",
        )
    return release


def findings(report: GateReport, rule: str | None = None, file: str | None = None) -> list[Finding]:
    return [f for f in report.findings if (rule is None or f.rule == rule) and (file is None or f.file == file)]


def assert_caught(report: GateReport, rule: str, file: str, leaked: str | None = None, also: tuple[str, ...] = ()) -> None:
    assert not report.passed
    caught = findings(report, rule, file)
    assert caught, f"expected a {rule} finding in {file}; got {report.findings}"
    others = [f for f in report.findings if f.rule != rule and f.rule not in also]
    assert not others, f"only the planted leak should be found; also got {others}"
    if leaked:  # the report is printed: it must not repeat the value
        for f in report.findings:
            assert leaked not in f.detail
        assert leaked not in report.summary_line()
        assert leaked not in json.dumps(report.to_dict(), ensure_ascii=False)


@pytest.fixture(scope="module")
def clean_pdf(tmp_path_factory) -> bytes:
    release = make_release(tmp_path_factory.mktemp("clean"))
    return (release / "briefing.pdf").read_bytes()


def test_the_clean_release_passes(tmp_path, sensitive):
    release = make_release(tmp_path)
    report = check_release(release, T, sensitive)
    assert report.passed, report.findings
    assert report.files_checked == ["briefing.html", "briefing.pdf", "manifest.json", "tables/offences.csv"]
    assert report.summary_line() == "release gate: passed (4 files)"
    # the manifest does hold a hash with a nominal number inside it, and the page a payload with
    # one between slashes: neither is a whole token in text
    assert "408657" in (release / "manifest.json").read_text()
    assert "/408657+" in (release / "briefing.html").read_text()


def test_the_clean_release_passes_when_the_data_holds_every_number_in_it(tmp_path):
    """Identifiers are asked of the data: if they were matched by pattern alone, the clean page's
    numbers would trip. Here the data holds exactly those numbers, and they are whole tokens that
    the gate does ask about, so the clean release fails: proof the question reaches the data."""
    release = make_release(tmp_path)
    people = PEOPLE.assign(person_ref=["20180075", "416005", "PER7004775", "PERD0012345", "PER7022778"])
    report = check_release(release, T, FrameSensitive(CRIMES, people, formats=SHIPPED_FORMS))
    assert [f.rule for f in report.findings] == ["identifier"] * 3  # html, pdf, manifest
    assert {f.file for f in report.findings} == {"briefing.html", "briefing.pdf", "manifest.json"}


# ---- (a) identifiers, as whole tokens


IDENTIFIER_PLANTS = {
    "CMS crime reference": ("<p>See crime CM/13/0000001 for details.</p>", "CM/13/0000001"),
    "CMS crime reference, lower case": ("<p>Ref: cm/13/0000001.</p>", "cm/13/0000001"),
    "CMS legacy reference of a migrated crime": ("<p>(CM/14/0004018)</p>", "CM/14/0004018"),
    "Connect crime reference": ("<p>Crime 00000864/16 was charged.</p>", "00000864/16"),
    "Connect person ID": ("<p>Suspect PER7004775, charged.</p>", "PER7004775"),
    "Connect duplicate person ID": ("<td>PERD0012345</td>", "PERD0012345"),
    "CMS nominal number": ("<p>Nominal 408657 was a suspect.</p>", "408657"),
    "legacy nominal number in Connect": ("<p>[404775]</p>", "404775"),
    "nominal number between underscores": ("<p>file_408657_notes</p>", "408657"),
    "nominal number in a URL path": ('<p>intranet/people/408657/view</p>', "408657"),
    "PNC ID as CMS writes it": ("<p>PNC 2000/0448754A.</p>", "2000/0448754A"),
    "PNC ID as Connect writes it, data in CMS form": ("<p>PNC 00/448754A.</p>", "00/448754A"),
    "PNC ID in CMS form, data in Connect form": ("<p>PNC 1999/0808679E.</p>", "1999/0808679E"),
    "PNC ID keyed with spaces and lower case in the data": ("<p>PNC 11/918215B</p>", "11/918215B"),
    "PNC ID with stray spaces in the release": ("<p>PNC 2011 / 0918215b</p>", "0918215b"),
    "PNC ID in an attribute": ('<span title="99/808679E">suspect</span>', "99/808679E"),
    "identifier in an HTML comment": ("<!-- check CM/13/0000001 -->", "CM/13/0000001"),
    "identifier written with an entity": ("<p>CM&#47;13&#47;0000001</p>", "0000001"),
}


@pytest.mark.parametrize("plant, value", IDENTIFIER_PLANTS.values(), ids=IDENTIFIER_PLANTS.keys())
def test_an_identifier_in_the_html_fails(tmp_path, sensitive, plant, value):
    report = check_release(make_release(tmp_path, html_extra=plant), T, sensitive)
    assert_caught(report, "identifier", "briefing.html", leaked=value)
    assert report.summary_line().startswith("release gate: FAILED: briefing.html contains a")


def svg_image(body: str) -> str:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 408657 10">{body}</svg>'
    return f'<img alt="chart" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"/>'


def test_an_embedded_svg_s_drawing_is_not_read_as_words(tmp_path, sensitive):
    # a chart's coordinates are runs of digits: 408657 is someone's nominal number here
    chart = svg_image('<g id="patch_408657" style="stroke-width: 0.8"><path d="M 408657.5 0 L 1 1 z" transform="translate(0 408657)"/>'
                      '<text x="408657" y="1" style="font-size: 9.5px">2017</text></g>')
    report = check_release(make_release(tmp_path, html_extra=chart), T, sensitive)
    assert report.passed, report.findings


@pytest.mark.parametrize("body", ['<text x="1" y="1">Nominal 408657</text>', '<title>408657</title>', '<g aria-label="408657"/>'],
                         ids=["in its text", "in its title", "in an aria-label"])
def test_an_identifier_in_the_words_an_embedded_svg_shows_fails(tmp_path, sensitive, body):
    report = check_release(make_release(tmp_path, html_extra=svg_image(body)), T, sensitive)
    assert_caught(report, "identifier", "briefing.html", leaked="408657")


@pytest.mark.parametrize(
    "plant, kind",
    [
        ("<p>See crime CM/13/0000001.</p>", "crime reference"),
        ("<p>Crime 00000864/16.</p>", "crime reference"),
        ("<p>Person PER7004775.</p>", "person ID"),
        ("<p>Nominal 408657.</p>", "nominal number"),
        ("<p>PNC 00/448754A.</p>", "PNC ID"),
    ],
)
def test_an_identifier_in_the_pdf_fails(tmp_path, sensitive, plant, kind):
    report = check_release(make_release(tmp_path, pdf_extra=plant), T, sensitive)
    assert_caught(report, "identifier", "briefing.pdf")
    assert findings(report)[0].detail.startswith(kind)
    assert "page 1" in findings(report)[0].detail


def test_an_identifier_in_a_table_or_the_manifest_fails(tmp_path, sensitive):
    table = TABLE_CSV.replace("2016,29", "PER7004775,29")
    release = make_release(tmp_path, table=table, manifest=False)
    write_manifest(release, reference="20180075", parameters={"note": "checked CM/13/0000001"}, project_version="0.1.0", extract_files={}, run_time="t")
    report = check_release(release, T, sensitive)
    assert {(f.file, f.rule) for f in report.findings} == {("tables/offences.csv", "identifier"), ("manifest.json", "identifier")}


def test_identifiers_and_dates_in_the_briefing_table_style_are_separate_words_in_the_pdf(tmp_path, sensitive):
    """pypdf glues the text of table cells that touch (no padding) into one word; the briefing's
    own table style pads cells, so each cell stays a whole token in the PDF's text."""
    from weasyprint import HTML

    from helpers.briefing import report

    table = pd.DataFrame({"Ref": ["PER7004775"], "n": ["29"], "DOB": ["24/05/1992"]}, index=pd.Index(["MCKENZIE"], name="Name"))
    release = make_release(tmp_path)
    HTML(string=report.briefing_page(report.table_html(table, "people"), "t")).write_pdf(release / "briefing.pdf")
    rules = {(f.file, f.rule) for f in check_release(release, T, sensitive).findings}
    assert rules == {("briefing.pdf", "identifier"), ("briefing.pdf", "name_with_dob")}


@pytest.mark.parametrize(
    "text",
    [
        "abc123408657def",  # inside a longer token
        "4086571",  # a longer number
        "CM/13/00000011",  # a longer reference
        "PER70047751",
        "000000864/16",
        "123456",  # six digits, nobody's nominal number
        "2000/0448754B",  # another check letter
        "2001/0448754A",  # another year
        "sha256 " + "0" * 20 + "408657" + "f" * 38,
        "24/05/1992",  # a date is not an identifier
    ],
)
def test_things_that_only_look_like_identifiers_pass(tmp_path, sensitive, text):
    report = check_release(make_release(tmp_path, html_extra=f"<p>{text}</p>", pdf_extra=f"<p>{text}</p>"), T, sensitive)
    assert report.passed, report.findings


@settings(max_examples=60, deadline=None)
@given(
    identifier=st.sampled_from(["408657", "PER7004775", "CM/13/0000001", "00000864/16", "00/448754A"]),
    before=st.text(alphabet="abcdefXYZ0123456789", min_size=1, max_size=4),
    after=st.text(alphabet="abcdefXYZ0123456789", min_size=1, max_size=4),
    gap=st.sampled_from([" ", ", ", "(", ") ", "\n", " - ", "'", "\"", ";", ":", "|", "_"]),
)
def test_identifiers_are_caught_as_whole_tokens_only(sensitive, identifier, before, after, gap):
    glued = pd.DataFrame({"Year": [f"{before}{identifier}{after}"], "n": ["0"]})
    assert check_tables({"t": glued}, T, sensitive).passed
    spaced = pd.DataFrame({"Year": [f"{before}{gap}{identifier}{gap}{after}"], "n": ["0"]})
    report = check_tables({"t": spaced}, T, sensitive)
    assert [f.rule for f in report.findings] == ["identifier"]


def test_pnc_ids_normalise_across_the_two_systems():
    assert normalise_pnc("2000/0448754A") == normalise_pnc("00/448754A") == normalise_pnc(" 2000/0448754a ") == "00/448754A"
    assert normalise_pnc("2000 / 0448754 A") == "00/448754A"
    assert normalise_pnc("2001/0448754A") != normalise_pnc("00/448754A")
    assert normalise_pnc("24/05/1992") is None


# ---- (b) a name with a date of birth


NAME_PLANTS = {
    "surname and dd/mm/yyyy": "<p>MCKENZIE was born on 24/05/1992.</p>",
    "forename, surname and yyyy-mm-dd": "<td>Siobhan McKenzie</td><td>1992-05-24</td>",
    "surname and d Month yyyy": "<p>Ms McKenzie (24 May 1992) was interviewed.</p>",
    "accented two-word surname, Month d, yyyy": "<p>Zoë Ní Bhriain, born April 25, 1986</p>",
    "accents dropped, dotted date": "<p>Zoe Ni Bhriain 25.04.1986</p>",
    "two-digit year": "<p>McKenzie DOB 24/05/92</p>",
    "leap-day date of birth": "<p>Chidi Okafor, 29th February 2004</p>",
}


@pytest.mark.parametrize("plant", NAME_PLANTS.values(), ids=NAME_PLANTS.keys())
def test_a_name_with_date_of_birth_in_the_html_fails(tmp_path, sensitive, plant):
    report = check_release(make_release(tmp_path, html_extra=plant), T, sensitive)
    assert_caught(report, "name_with_dob", "briefing.html", leaked="McKenzie")


def test_a_name_with_date_of_birth_in_a_table_fails(tmp_path, sensitive):
    table = TABLE_CSV + "MCKENZIE,SIOBHÁN,1992-05-24T00:00:00,0,0,0\n"
    assert_caught(check_release(make_release(tmp_path, table=table), T, sensitive), "name_with_dob", "tables/offences.csv")


@pytest.mark.parametrize("plant", ["<p>Siobhán McKenzie, born 24 May 1992.</p>", "<p>MCKENZIE 1992-05-24</p>"])
def test_a_name_with_date_of_birth_in_the_pdf_fails(tmp_path, sensitive, plant):
    report = check_release(make_release(tmp_path, pdf_extra=plant), T, sensitive)
    assert_caught(report, "name_with_dob", "briefing.pdf")


@pytest.mark.parametrize(
    "text",
    [
        "<p>McKenzie was born on 24/05/1993.</p>",  # another date
        "<p>Thompson was born on 24/05/1992.</p>",  # somebody else's surname
        "<p>Born 24/05/1992.</p>",  # a date alone
        "<p>McKenzie " + "word " * 20 + "24/05/1992</p>",  # too far apart
        "<p>the thomas report of 18 October 1951</p>",  # a lower-case word that is a surname
    ],
)
def test_a_name_and_date_that_do_not_belong_together_pass(tmp_path, sensitive, text):
    report = check_release(make_release(tmp_path, html_extra=text), T, sensitive)
    assert report.passed, report.findings


def test_a_lower_case_surname_counts_with_the_forename(tmp_path, sensitive):
    report = check_release(make_release(tmp_path, html_extra="<p>noah thomas 18/10/1951</p>"), T, sensitive)
    assert_caught(report, "name_with_dob", "briefing.html")


# ---- (c) text copied from circumstances


EIGHT = "contacted the girl on a social media app over"  # 9 words: 8 = "contacted ... app" + "over"


def test_eight_words_copied_from_circumstances_fail(tmp_path, sensitive):
    copied = "The SUSPECT contacted the girl, on a social-media app; said more."  # 8 words in a row
    report = check_release(make_release(tmp_path, html_extra=f"<p>{copied}</p>"), T, sensitive)
    assert_caught(report, "copied_text", "briefing.html", leaked="contacted the girl")


def test_seven_words_copied_from_circumstances_pass(tmp_path, sensitive):
    seven = "The suspect contacted the girl on a social-network, not an app."  # 7, then "network"
    report = check_release(make_release(tmp_path, html_extra=f"<p>{seven}</p>"), T, sensitive)
    assert report.passed, report.findings


def test_copied_text_across_markup_and_in_the_pdf_fails(tmp_path, sensitive):
    across = "<p>youths damaging the <em>bus</em></p><p>shelter they were throwing bricks</p>"
    report = check_release(make_release(tmp_path, html_extra=across, pdf_extra=across), T, sensitive)
    assert {(f.file, f.rule) for f in report.findings} == {("briefing.html", "copied_text"), ("briefing.pdf", "copied_text")}


def test_copied_runs_never_join_two_texts_and_count_across_chunks():
    contents = [Content("page", [Segment("one two three four five six seven eight nine")])]
    index = _release_shingles(contents)
    texts = ["alpha one two three four", "five six seven eight omega"] * 5  # the run straddles two texts
    texts += ["x", "noise ONE two three four five six seven eight"]
    for chunk_size in (1, 3, 7, 1000):
        pairs = find_copied_runs(texts, index, chunk_size=chunk_size)
        assert sorted(set(pairs["text"])) == [11], chunk_size
        pairs = find_copied_runs(pd.Series(texts, dtype="str"), index, chunk_size=chunk_size)
        assert sorted(set(pairs["text"])) == [11], chunk_size


def test_the_words_of_texts_are_split_as_the_release_side_splits_them():
    import pyarrow as pa

    from helpers.gate.rules.copied_text import _arrow_words

    flat, lengths = _arrow_words(pa.array(["Hello, World!", "", None, "\u00c0B-c 42", "--"], pa.large_string()))
    # a separator at a text's start or end leaves an empty piece; a non-ASCII letter separates
    assert flat.to_pylist() == ["hello", "world", "", "", "", "b", "c", "42", "", ""]
    assert lengths.tolist() == [3, 1, 0, 4, 2]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.none() | st.text(alphabet=st.sampled_from(list("aZq09 ,.-\n'\u00e9\u2019\u2014\u00dc\U0001f600")), max_size=12), max_size=8),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_the_numpy_word_split_is_arrows_regular_expression_split(texts, cut_start, cut_end):
    """Both sides of the copied-text check must cut words alike: the numpy split of the texts'
    bytes gives what Arrow's RE2 split gives, nulls, empty texts and slices of arrays included."""
    import pyarrow as pa

    from helpers.gate.rules.copied_text import _arrow_words, _regex_words

    array = pa.array(texts, pa.large_string())
    array = array.slice(min(cut_start, len(array)), max(0, len(array) - cut_start - cut_end))
    flat, lengths = _arrow_words(array)
    expected_flat, expected_lengths = _regex_words(array)
    assert flat.to_pylist() == expected_flat.to_pylist()
    assert lengths.tolist() == expected_lengths.tolist()


def test_copied_text_search_finds_one_run_among_many_texts_of_the_same_words(sensitive):
    """50,000 texts of ~25 words, all drawn from the release's own vocabulary, against a
    20,000-word release: only the text holding one of its 8-word runs is found, and the run's
    place in the release is given. (Its speed: docs/performance.md, "The release gate".)"""
    import random

    rng = random.Random(7)
    vocabulary = " ".join(CIRCUMSTANCES).lower().replace(";", " ").replace(",", " ").split()
    prose = " ".join(rng.choice(vocabulary) for _ in range(20_000))
    contents = [Content("page", [Segment(prose)])]
    index = _release_shingles(contents)
    texts = [" ".join(rng.choice(vocabulary) for _ in range(25)) for _ in range(50_000)]
    texts[12_345] = "prefix " + " ".join(prose.split()[5000:5008]) + " suffix"
    pairs = find_copied_runs(pd.Series(texts, dtype="str"), index)
    assert set(pairs["text"]) == {12_345}
    places = index.places(pairs["shingle"])
    assert all(here and here[0][0] == 0 for here in places.values())


# ---- (d) small counts in tables


@pytest.mark.parametrize(
    "table",
    [
        "Year,Offences\n2015,3\n2016,27\n",
        "Year,Offences\n2015,3.0\n",  # a float-typed count
        "Year,Offences\n2015,3 (12%)\n",
        "Year,Offences\n2015, 1 \n",
        "Year,Offences\n2015,<3\n",  # a narrower range than the threshold allows
        'Outcome,"Charged, 2017"\n1,4\n',  # a label 1 is fine, the count 4 is not
    ],
)
def test_a_small_count_in_a_csv_table_fails(tmp_path, sensitive, table):
    report = check_release(make_release(tmp_path, table=table), T, sensitive)
    assert_caught(report, "small_count", "tables/offences.csv")
    assert "row 2" in findings(report)[0].detail


def test_labels_zeros_and_suppressed_cells_pass(tmp_path, sensitive):
    # outcome numbers 1-4 as column labels and row labels; zero; <5; [c]; 5 and more
    table = "Outcome,1,2,3,4\n1,0,<5,[c],5\n3,12,0,0,\n4,[c],<5,6,1234\n"
    report = check_release(make_release(tmp_path, table=table), T, sensitive)
    assert report.passed, report.findings


def test_the_threshold_decides(sensitive):
    frame = pd.DataFrame({"Offences": ["7", "12"]}, index=pd.Index(["2016", "2017"], name="Year"))
    assert check_tables({"offences": frame}, 5, sensitive).passed
    report = check_tables({"offences": frame}, 10, sensitive)
    assert [(f.file, f.rule) for f in report.findings] == [("offences", "small_count")]
    assert "<10" not in check_tables({"offences": frame.replace("7", "<10")}, 10, sensitive).summary_line()
    assert check_tables({"offences": frame.replace("7", "<10")}, 10, sensitive).passed


def test_check_tables_reads_frames_as_they_are_written(tmp_path, sensitive):
    by_year = pd.DataFrame({"Charged": ["13", "2"], "Cautioned": ["0", "<5"]}, index=pd.Index(["2016", "2017"], name="Year"))
    plain = pd.DataFrame({"Year": ["2016", "2017"], "Charged": ["13", "[c]"]})  # RangeIndex: first column labels
    report = check_tables({"by_year": by_year, "plain": plain}, T, sensitive)
    assert [(f.file, f.rule) for f in report.findings] == [("by_year", "small_count")]
    assert "'2017'" in report.findings[0].detail and "'Charged'" in report.findings[0].detail
    # the same tables written to disk and read back from the files give the same answer
    paths = []
    for name, frame in {"by_year": by_year, "plain": plain}.items():
        path = tmp_path / "tables" / f"{name}.csv"
        path.parent.mkdir(exist_ok=True)
        path.write_text(table_csv(frame), encoding="utf-8")
        paths.append(path)
    assert [(f.file, f.rule) for f in check_tables(paths, T, sensitive).findings] == [("tables/by_year.csv", "small_count")]
    assert table_csv(by_year).splitlines()[0] == "Year,Charged,Cautioned"


def test_check_tables_reads_numbers_that_are_not_yet_text(sensitive):
    counts = pd.DataFrame({"Charged": [13, 2], "Cautioned": [0, float("nan")]}, index=pd.Index([2016, 2017], name="Year"))
    report = check_tables({"counts": counts}, T, sensitive)
    assert [f.rule for f in report.findings] == ["small_count"]  # 2 (and the float 2.0 below)
    assert [f.rule for f in check_tables({"c": counts.astype(float)}, T, sensitive).findings] == ["small_count"]
    assert check_tables({"c": counts.replace(2, 0)}, T, sensitive).passed


def test_write_tables_writes_nothing_when_the_gate_fails(tmp_path, sensitive):
    leak = pd.DataFrame({"Charged": ["3"]}, index=pd.Index(["2017"], name="Year"))
    with pytest.raises(ReleaseGateError):
        write_tables({"charged": leak}, tmp_path / "tables", T, sensitive)
    assert not (tmp_path / "tables").exists()
    ok = leak.replace("3", "<5")
    write_tables({"charged": ok}, tmp_path / "tables", T, sensitive)
    assert (tmp_path / "tables" / "charged.csv").read_text() == "Year,Charged\n2017,<5\n"


def test_check_tables_without_sensitive_data_checks_counts_only():
    frame = pd.DataFrame({"Year": ["CM/13/0000001"], "n": ["2"]})
    report = check_tables({"t": frame}, T, None)
    assert [f.rule for f in report.findings] == ["small_count"]


# ---- (e) links to outside resources


LINK_PLANTS = {
    "require.js from a CDN": '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>',
    "MathJax from a CDN": '<script type="text/javascript" src="https://cdn.jsdelivr.net/npm/mathjax@2.7.7/MathJax.js?config=TeX-AMS_HTML"></script>',
    "protocol-relative script": "<script src='//cdn.example.org/x.js'></script>",
    "a script loaded by an inline script": '<script>var s=document.createElement("script");s.src="https://cdn.example.org/x.js";</script>',
    "stylesheet link": '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto"/>',
    "CSS url() in a style block": "<style>body { background: url(https://example.org/bg.png); }</style>",
    "CSS @import": '<style>@import url("http://example.org/print.css");</style>',
    "CSS url() in a style attribute": "<div style=\"background-image:url('//example.org/x.png')\">x</div>",
    "image from the web": '<img src="https://example.org/chart.png" alt="chart"/>',
    "image next to the page": '<img src="chart.png" alt="chart"/>',
    "srcset": '<img src="data:image/png;base64,AAAA" srcset="https://example.org/big.png 2x"/>',
    "hyperlink": '<p>See <a href="https://www.gov.uk/government/statistics">the statistics</a>.</p>',
    "iframe": '<iframe src="https://example.org/embed"></iframe>',
    "meta refresh": '<meta http-equiv="refresh" content="0; url=https://example.org/"/>',
    "entity-encoded URL": '<a href="https&#58;//example.org/">x</a>',
}


@pytest.mark.parametrize("plant", LINK_PLANTS.values(), ids=LINK_PLANTS.keys())
def test_a_link_to_an_outside_resource_in_the_html_fails(tmp_path, sensitive, plant):
    report = check_release(make_release(tmp_path, html_extra=plant), T, sensitive)
    # a script, an iframe and a refresh are active content as well
    assert_caught(report, "external_link", "briefing.html", also=("active_content",))
    assert report.summary_line().startswith("release gate: FAILED: briefing.html contains a link to an outside resource")


@pytest.mark.parametrize(
    "text",
    [
        "<p>Statistics are published on www.gov.uk and at https://www.ons.gov.uk in plain text.</p>",
        "<table><tr><td>www.police.uk</td></tr></table>",
        '<img alt="x" src="data:image/svg+xml;base64,' + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>').decode() + '"/>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><clipPath id="c"><rect/></clipPath></defs><rect clip-path="url(#c)"/></svg>',
        "<style>/* see https://example.org/licence */ td { color: red; }</style>",
        '<a href="tables/offences.csv">the table</a> <a href="#top">top</a>',
    ],
)
def test_embedded_resources_and_websites_named_in_text_pass(tmp_path, sensitive, text):
    report = check_release(make_release(tmp_path, html_extra=text), T, sensitive)
    assert report.passed, report.findings


def test_a_link_in_the_pdf_fails(tmp_path, sensitive, clean_pdf):
    # WeasyPrint compresses its objects: the /URI action is not in the raw bytes, only in the
    # object tree, so a search of the bytes alone would miss it
    release = make_release(tmp_path, pdf_extra='<p><a href="https://www.gov.uk/x">statistics</a></p>')
    assert b"/URI" not in (release / "briefing.pdf").read_bytes()
    report = check_release(release, T, sensitive)
    assert_caught(report, "external_link", "briefing.pdf")
    assert b"/URI" not in clean_pdf


def test_an_uncompressed_pdf_link_is_found_in_the_raw_bytes_too(tmp_path, sensitive):
    from weasyprint import HTML

    release = make_release(tmp_path)
    HTML(string=page('<a href="https://example.org/">x</a>', png=REAL_PNG)).write_pdf(release / "briefing.pdf", uncompressed_pdf=True)
    assert b"/URI" in (release / "briefing.pdf").read_bytes()
    assert_caught(check_release(release, T, sensitive), "external_link", "briefing.pdf")


def test_a_link_object_outside_the_document_tree_is_found_in_the_raw_bytes(tmp_path, sensitive):
    """An object no page refers to is invisible to the object walk; the byte search finds it."""
    from weasyprint import HTML

    release = make_release(tmp_path)
    pdf = release / "briefing.pdf"
    HTML(string=page(png=REAL_PNG)).write_pdf(pdf, uncompressed_pdf=True)
    data = pdf.read_bytes()
    orphan = b"99 0 obj\n<< /Type /Action /S /URI /URI (https://example.org/) >>\nendobj\n"
    at = data.rindex(b"\nxref") + 1
    startxref = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    data = data[:at] + orphan + data[at:]
    data = data.replace(f"startxref\n{startxref}".encode(), f"startxref\n{startxref + len(orphan)}".encode())
    pdf.write_bytes(data)
    assert_caught(check_release(release, T, sensitive), "external_link", "briefing.pdf")


def test_a_spreadsheet_formula_reaching_the_web_fails(tmp_path, sensitive):
    table = 'Year,Offences\n2017,"=HYPERLINK(""https://example.org"",""40"")"\n'
    assert_caught(check_release(make_release(tmp_path, table=table), T, sensitive), "external_link", "tables/offences.csv")


# ---- (f) spreadsheet formulas in a CSV cell (OWASP "CSV injection"), in a CSV written by hand


FORMULA_CELLS = {
    "a DDE call": "@SUM(1+9)*cmd|' /C calc'!A0",
    "an image from the web, its address in pieces": '=IMAGE("ht"&"tps:/"&"/evil.example/p.png")',
    "a plus": "+1+cmd|' /C calc'!A0",
    "a minus": "-2+3+cmd|' /C calc'!A0",
    "a tab": "\t=1+2",
    "a carriage return": "\r=1+2",
    "a lone minus": "-",
}


@pytest.mark.parametrize("cell", FORMULA_CELLS.values(), ids=FORMULA_CELLS.keys())
def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_fails(tmp_path, sensitive, cell):
    out = io.StringIO()  # written by hand (the csv module as another tool would): not neutralised
    csv.writer(out, lineterminator="\r\n").writerows([["Offence", "People charged in 2017"], [cell, "18"]])
    table = out.getvalue()
    report = check_release(make_release(tmp_path, table=table), T, sensitive)
    assert_caught(report, "spreadsheet_formula", "tables/offences.csv", leaked=cell if len(cell) > 1 else None)
    assert findings(report)[0].detail.startswith("row 2, column 1: ")
    assert "contains a spreadsheet formula" in report.summary_line()


def test_neutralised_formulas_and_negative_numbers_in_a_csv_pass(tmp_path, sensitive):
    table = (
        "Offence,Change on 2016\n"
        "\"'@SUM(1+9)*cmd|' /C calc'!A0\",-3\n"
        "\"'=HYPERLINK(\"\"https://example.org\"\",\"\"40\"\")\",-1.5\n"
        "\"'\t=1+2\",+7\n"
        "s15 = grooming; s1(1) - attempt; @ home,\"-1,234\"\n"
    )
    report = check_release(make_release(tmp_path, table=table), T, sensitive)
    assert report.passed, report.findings


def test_an_xlsx_file_the_gate_cannot_read_whole_is_not_released(tmp_path, sensitive):
    """A workbook is read (tests/test_release_workbook.py); one put in the release by hand without
    its workbook part is a file the gate cannot read, and its sheet's formula is found all the same."""
    import zipfile

    release = make_release(tmp_path)
    with zipfile.ZipFile(release / "tables" / "offences.xlsx", "w") as book:
        book.writestr("xl/worksheets/sheet1.xml", '<worksheet><sheetData><row r="1"><c r="A1"><f>HYPERLINK("https://example.org")</f></c></row></sheetData></worksheet>')
    report = check_release(release, T, sensitive)
    assert_caught(report, "unreadable", "tables/offences.xlsx", also=("external_link",))
    assert findings(report, "external_link", "tables/offences.xlsx")


# ---- (g) active content: nothing in a release file may run


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


#: issue 17's payloads, as they came out of mistune, then other ways to the same end
ACTIVE_PLANTS = {
    "script": "<script>document.title='x'</script>",
    "svg onload": '<svg onload="alert(1)"></svg>',
    "details ontoggle": '<details open ontoggle="alert(1)">x</details>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "iframe srcdoc, escaped": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "javascript: link": '<a href="javascript:alert(1)">more</a>',
    "upper-case script": "<SCRIPT>alert(1)</SCRIPT>",
    "script from a data: URI": '<script src="data:text/javascript,alert(1)"></script>',
    "onerror": '<img alt="x" src="data:image/png;base64,AAAA" onerror="alert(1)"/>',
    "handler after a slash": "<svg/onload=alert(1)>",
    "upper-case handler": '<p ONMOUSEOVER="alert(1)">x</p>',
    "javascript: in entities": '<a href="&#106;avascript&colon;alert(1)">more</a>',
    "javascript: with a tab": '<a href="java&#9;script:alert(1)">more</a>',
    "javascript: after spaces, upper case": '<a href="  JAVASCRIPT:alert(1)">more</a>',
    "vbscript:": '<a href="vbscript:msgbox(1)">more</a>',
    "data:text/html link": f'<a href="data:text/html;base64,{_b64("<p>hello</p>")}">more</a>',
    "svg animation to javascript:": '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text y="20">x</text></a></svg>',
    "mathml xlink:href": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    "object": '<object type="application/x-shockwave-flash"></object>',
    "embed": '<embed type="application/pdf"/>',
    "form": '<form><button>Send</button></form>',
    "meta refresh without an address": '<meta http-equiv="Refresh" content="5"/>',
    "base": '<base target="_blank"/>',
    "frameset": "<frameset><frame/></frameset>",
    "a quote the tag reader stops at": '<img alt=a\' src="data:image/png;base64,AAAA" onerror=alert(1)>',
    "script in an embedded svg": '<img alt="x" src="data:image/svg+xml;base64,' + _b64('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') + '"/>',
}


@pytest.mark.parametrize("plant", ACTIVE_PLANTS.values(), ids=ACTIVE_PLANTS.keys())
def test_active_content_in_the_html_fails(tmp_path, sensitive, plant):
    report = check_release(make_release(tmp_path, html_extra=plant), T, sensitive)
    assert_caught(report, "active_content", "briefing.html")
    assert report.summary_line().startswith("release gate: FAILED: briefing.html contains active content")


def test_a_link_to_a_website_without_slashes_fails(tmp_path, sensitive):
    """`https:evil.example` is `https://evil.example/` to a browser (issue 17)."""
    for href in ("https:evil.example", "HTTP:evil.example", "h&#9;ttps://evil.example", "/\\evil.example", "https:\\\\evil.example"):
        report = check_release(make_release(tmp_path, html_extra=f'<a href="{href}">more</a>'), T, sensitive)
        assert_caught(report, "external_link", "briefing.html")


def test_active_content_in_an_svg_file_fails(tmp_path, sensitive):
    release = make_release(tmp_path)
    (release / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1" onclick="alert(1)"/></svg>', encoding="utf-8")
    assert_caught(check_release(release, T, sensitive), "active_content", "chart.svg")


@pytest.mark.parametrize(
    "text",
    [
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'\"/>",
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        "<p>Words such as onload=&quot;x&quot;, javascript:alert(1), &lt;script&gt; and &lt;iframe&gt; shown as text.</p>",
        '<p data-note="onion=1" title="javascript: a language">Details, on the form and frame of the script.</p>',
        '<img alt="javascript: not a link" src="data:image/png;base64,AAAA"/>',
        '<a href="#top">top</a> <a href="tables/offences.csv">the table</a>',
    ],
)
def test_words_about_active_content_and_the_page_s_own_policy_pass(tmp_path, sensitive, text):
    report = check_release(make_release(tmp_path, html_extra=text), T, sensitive)
    assert report.passed, report.findings


# ---- files the gate cannot read


@pytest.mark.parametrize(
    "name, data",
    [
        ("chart.png", base64.b64decode(REAL_PNG)),
        ("notes.txt", "Notes in Windows-1252: £5 café".encode("cp1252")),
        ("broken.pdf", b"%PDF-1.7\nthis is not really a pdf"),
        ("extra.json", b"{not json"),
    ],
)
def test_a_file_the_gate_cannot_read_fails(tmp_path, sensitive, name, data):
    release = make_release(tmp_path)
    (release / name).write_bytes(data)
    report = check_release(release, T, sensitive)
    assert_caught(report, "unreadable", name)


def test_other_text_files_are_checked_too(tmp_path, sensitive):
    release = make_release(tmp_path)
    (release / "README.txt").write_text("Prepared for FOI 20180075; crime CM/13/0000001.\n", encoding="utf-8")
    assert_caught(check_release(release, T, sensitive), "identifier", "README.txt")


def test_a_missing_release_folder_fails(tmp_path, sensitive):
    report = check_release(tmp_path / "nowhere", T, sensitive)
    assert not report.passed and report.findings[0].rule == "unreadable"


# ---- the report


def test_the_report_names_the_first_finding_in_one_line(tmp_path, sensitive):
    release = make_release(tmp_path, html_extra="<p>CM/13/0000001 and 408657</p>", table="Year,n\n2017,2\n")
    report = check_release(release, T, sensitive)
    assert report.summary_line() == f"release gate: FAILED: briefing.html contains a crime reference (1 of {len(report.findings)} findings)"
    assert len(report.findings) == 3
    with pytest.raises(ReleaseGateError) as error:
        report.raise_if_failed()
    assert "\n" not in str(error.value) and str(error.value) == report.summary_line()
    saved = json.loads(report.write(tmp_path / "restricted" / "release_gate.json").read_text())
    assert saved["passed"] is False and len(saved["findings"]) == 3
    assert not any("CM/13/0000001" in f["detail"] or "408657" in f["detail"] for f in saved["findings"])
    assert report.to_dict()["files_checked"] == report.files_checked


def test_frame_sensitive_is_a_sensitive():
    assert isinstance(FrameSensitive(CRIMES, PEOPLE), Sensitive)
    s = FrameSensitive(CRIMES, PEOPLE)
    assert s.identifiers_present({"CM/13/0000001", "123456", "00/448754A", "11/918215B", "404775"}) == {"CM/13/0000001", "00/448754A", "11/918215B", "404775"}
    born = s.people_with_dob({date(1992, 5, 24), date(1986, 4, 25)})
    assert sorted(born["surname"]) == ["MCKENZIE", "Ní Bhriain"]
    assert list(s.texts()) == CIRCUMSTANCES
    # the canonical model's keys carry the system: `CMS:408657`
    keyed = FrameSensitive(CRIMES.rename(columns={"crime_ref": "crime_id"}), pd.DataFrame({"person_key": ["CMS:408657", "CONNECT:PER7004775"]}))
    assert keyed.identifiers_present({"408657", "PER7004775", "CM/13/0000001"}) == {"408657", "PER7004775", "CM/13/0000001"}


# ---- the manifest


def test_the_manifest_hashes_every_release_file_but_itself(tmp_path):
    release = make_release(tmp_path, manifest=False)
    (release / "tables" / "outcomes.csv").write_text("Year,1\n2017,13\n", encoding="utf-8")
    extracts = {"connect_crimes.csv": "1" * 64, "CMS_CRIMES.csv": "2" * 64}
    path = write_manifest(release, reference="20180075", parameters={"threshold": 5, "period_to": date(2017, 12, 31), "out": Path("outputs")}, project_version="0.1.0", extract_files=extracts, run_time="2026-01-01T12:00:00Z")
    assert path == release / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["request"] == "20180075"
    assert manifest["project_version"] == "0.1.0"
    assert manifest["run_time"] == "2026-01-01T12:00:00Z"
    assert manifest["parameters"] == {"threshold": 5, "period_to": "2017-12-31", "out": "outputs"}
    assert manifest["extract_files"] == extracts
    assert list(manifest["release_files"]) == ["briefing.html", "briefing.pdf", "tables/offences.csv", "tables/outcomes.csv"]
    for name, digest in manifest["release_files"].items():
        assert digest == hashlib.sha256((release / name).read_bytes()).hexdigest() == sha256_file(release / name)
    # written again (the old manifest now in the folder), it still leaves itself out
    write_manifest(release, reference="20180075", parameters={}, project_version="0.1.0", extract_files=extracts, run_time="x")
    assert "manifest.json" not in json.loads(path.read_text())["release_files"]


def test_the_manifest_is_deterministic(tmp_path):
    args = dict(reference="20180075", project_version="0.1.0", extract_files={"b.csv": "b" * 64, "a.csv": "a" * 64})
    folders = []
    for n, order in enumerate([("z", 1, "a", 2), ("a", 2, "z", 1)]):
        release = tmp_path / f"r{n}" / "release"
        release.mkdir(parents=True)
        (release / "briefing.html").write_text("<p>same</p>", encoding="utf-8")
        parameters = {order[0]: order[1], order[2]: order[3]}  # same parameters, other key order
        write_manifest(release, parameters=parameters, run_time="2026-01-01T12:00:00Z", **args)
        folders.append(release)
    first, second = ((f / "manifest.json").read_bytes() for f in folders)
    assert first == second
    text = first.decode()
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert text.startswith('{\n "extract_files": {\n  "a.csv"')  # indent 1, sorted keys
    write_manifest(folders[0], parameters={"a": 2, "z": 1}, run_time="2027-06-30T08:00:00Z", **args)
    later = (folders[0] / "manifest.json").read_bytes()
    assert later != first
    assert later.replace(b"2027-06-30T08:00:00Z", b"2026-01-01T12:00:00Z") == first


def test_sha256_file(tmp_path):
    path = tmp_path / "x.bin"
    data = bytes(range(256)) * 10_000
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_the_gate_runs_one_rule_for_each_kind_of_leak_a_finding_can_name():
    """The gate's list of rules holds each leak rule once; `unreadable` is what reading a file finds."""
    names = [rule.name for rule in RULES]
    assert len(set(names)) == len(names)
    assert set(names) | {"unreadable"} == set(RULE_NAMES)
    assert {rule.name for rule in RULES if rule.reads_extract} == {"identifier", "name_with_dob", "copied_text"}
    assert "spreadsheet_formula" in names and "active_content" in names


# ---- a run's draft: gated as its clean copy, and around its draft mark (`check_draft`)

DRAFT_MAIN = '<main class="briefing">\n'


def draft_and_clean(root: Path, mark: str, clean_page: str, draft_page: str | None = None, draft_note: str = "") -> tuple[Path, Path]:
    """A run's release to publish (clean) and its draft (release/): the same files, the draft's
    page with `mark` at the top of its main part (or `draft_page`, a page changed otherwise), each
    manifest listing its own page's hash (and `draft_note` in the draft's)."""
    clean, draft = root / "restricted" / "to-publish", root / "release"
    for folder, html, note in ((clean, clean_page, ""), (draft, draft_page if draft_page is not None else clean_page.replace(DRAFT_MAIN, DRAFT_MAIN + mark, 1), draft_note)):
        (folder / "tables").mkdir(parents=True)
        (folder / "briefing.html").write_text(html, encoding="utf-8")
        (folder / "tables" / "offences.csv").write_text(TABLE_CSV, encoding="utf-8")
        manifest = {"request": "20180075", "note": note, "release_files": {"briefing.html": hashlib.sha256(html.encode()).hexdigest()}}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return draft, clean


def short_page(body: str) -> str:
    return f'<!DOCTYPE html><html lang="en-GB"><head><title>FOI</title></head><body><header><h1>FOI 20180075</h1></header>{DRAFT_MAIN}{body}\n</main></body></html>\n'


WORDS_70 = " ".join(["the figures were counted once"] * 14)  # 70 words without a name or a date
DRAFT_CASES = {
    "the tool's mark": ("DRAFT_MARK", page(), None, None),
    "a crime reference planted in the draft's page only": ("DRAFT_MARK", page(), page("<p>See CM/13/0000001.</p>"), "identifier"),
    "a crime reference in the mark itself": ('<p class="draft-mark">Draft of CM/13/0000001</p>\n', page(), None, "identifier"),
    "eight words copied across the mark's end": ("<p>Reviewer's note: Suspect contacted the girl on</p>\n", short_page("<p>a social media app, it was said.</p>"), None, "copied_text"),
    "a surname in the mark near a date of birth in the page": ("<p>Checked by McKenzie.</p>\n", short_page("<p>Received on 24/05/1992 from the unit.</p>"), None, "name_with_dob"),
    "a surname in the mark 70 words from a date of birth": ("<p>Checked by McKenzie.</p>\n", short_page(f"<p>{WORDS_70} on 24/05/1992.</p>"), None, None),
    "a leak in the page to publish, drafted as it is": ("DRAFT_MARK", page("<p>See CM/13/0000001.</p>"), None, "identifier"),
    "a crime reference in the draft's manifest only": ("DRAFT_MARK", page(), None, "identifier"),
}


@pytest.mark.parametrize("case", list(DRAFT_CASES))
def test_the_draft_gated_as_its_clean_copy_and_around_its_mark_is_gated_as_in_full(tmp_path, sensitive, case):
    """`check_draft` gives the report of the full gate on the draft and its clean copy in one
    pass, whatever the draft holds: a leak planted in the draft only (in its page, in its mark,
    or across the mark and the page) is caught, as is one in both."""
    from helpers.briefing.report import DRAFT_MARK
    from helpers.gate.check import check_draft

    mark, clean_page, draft_page, rule = DRAFT_CASES[case]
    mark = DRAFT_MARK if mark == "DRAFT_MARK" else mark
    note = "see CM/13/0000001" if "manifest" in case else ""
    draft, clean = draft_and_clean(tmp_path, mark, clean_page, draft_page, note)
    full = check_release(draft, T, sensitive, also={"restricted/to-publish": clean})
    report = check_draft(draft, clean, "restricted/to-publish", mark, T, sensitive)
    assert report.findings == full.findings and report.files_checked == full.files_checked
    if rule is None:
        assert report.passed, report.findings
    else:
        assert {f.rule for f in report.findings} == {rule}, report.findings
        drafted = "manifest.json" if "manifest" in case else "briefing.html"
        assert drafted in {f.file for f in report.findings}  # the draft's


def test_a_clean_draft_s_page_is_gated_only_around_its_mark(tmp_path, sensitive, monkeypatch):
    """The shortcut is taken: the draft's files are not read as a release again, only the page's
    text around the mark is gated."""
    from helpers.briefing.report import DRAFT_MARK
    from helpers.gate import check

    long_page = page(f"<p>{WORDS_70}</p>" * 4)
    draft, clean = draft_and_clean(tmp_path, DRAFT_MARK, long_page)
    gated = []
    real = check._run_rules
    monkeypatch.setattr(check, "_run_rules", lambda contents, context: gated.append(contents) or real(contents, context))
    report = check.check_draft(draft, clean, "restricted/to-publish", DRAFT_MARK, T, sensitive)
    assert report.passed and len(report.files_checked) == 6
    # one pass: the clean copy, then of the draft the page's part around the mark, and the
    # manifest (it lists its page's hash); not the draft's table, the same bytes as the clean's
    assert len(gated) == 1
    assert [c.file for c in gated[0]] == [f"restricted/to-publish/{name}" for name in ("briefing.html", "manifest.json", "tables/offences.csv")] + ["briefing.html", "manifest.json"]
    around = gated[0][3]
    assert sum(len(s.text) for s in around.segments) < len(long_page) / 2
    assert "DRAFT" in around.segments[0].text
