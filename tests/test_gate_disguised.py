"""The release gate normalises before it matches (issue 17, item 3): identifiers, names, dates of
birth and copied text written slightly differently by an analyst, in a question, a title or a
charge-group label, are caught; the briefing's own realistic texts still pass.

Each leak is planted alone in an analyst's text (a table's row label, or a page's prose), so a
finding is the planted leak's doing; the benign set is checked against the same data.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from helpers.extracts.profile import profile_sources
from helpers.gate.check import check_release, check_tables
from helpers.gate.manifest import write_manifest
from helpers.gate.normalise import fold_name, normalise
from helpers.gate.report import GateReport
from helpers.gate.sensitive import FrameSensitive, formats_of

T = 5
#: the shipped profile's identifier forms (`CM/16/0004418`, `PER7028132`, ...): the gate's
#: shapes of a force's identifiers are its profile's
SHIPPED_FORMS = formats_of(profile_sources())

# ---- what the extracts hold

IN_SCOPE_TEXT = (
    "Victim was approached outside the leisure centre by a man who offered her a lift home."
)
OUT_OF_SCOPE_TEXT = "Caller reported that a grey van had been parked near the primary school gates every afternoon this week."

CRIMES = pd.DataFrame(
    {
        "crime_ref": ["00001516/16", "CM/16/0004418", "00002977/17"],
        "circumstances": [
            IN_SCOPE_TEXT,
            OUT_OF_SCOPE_TEXT,
            "Witness saw the meeting at the station.",
        ],
    }
)
PEOPLE = pd.DataFrame(
    {
        "crime_ref": ["00001516/16", "00001516/16", "CM/16/0004418", "00002977/17"],
        "person_ref": ["PER7028132", "PER7031150", "428132", "PER7040001"],
        "pnc_id": [None, "89/920945F", None, None],
        "role": ["Victim", "Suspect", "Suspect", "Witness"],
        "surname": ["Hollingworth", "BAXENDALE", "NOWAK", "Hunter"],
        "forenames": ["Maisie Jane", "CRAIG", "KACPER", "Dale"],
        "date_of_birth": ["2005-07-19", "1979-11-02", "10/03/2004", "1968-01-30"],
    }
)
#: the request's crimes (its search scope): Nowak's crime is not one of them
SCOPE = ["00001516/16", "00002977/17"]


@pytest.fixture(scope="module")
def sensitive() -> FrameSensitive:
    return FrameSensitive(CRIMES, PEOPLE, scope=SCOPE, formats=SHIPPED_FORMS)


def label_table(label: str, figure: str = "27") -> dict[str, pd.DataFrame]:
    """A released table whose row label is an analyst's text (a charge group's label)."""
    return {
        "charged": pd.DataFrame({"Charged": [figure]}, index=pd.Index([label], name="Charge group"))
    }


def gate_on_label(label: str, sensitive) -> GateReport:
    return check_tables(label_table(label), T, sensitive)


def rules_of(report: GateReport) -> list[str]:
    return [f.rule for f in report.findings]


def assert_only(report: GateReport, rule: str, leaked: str | None = None) -> None:
    assert report.findings, "the planted leak was released"
    assert set(rules_of(report)) == {rule}, report.findings
    if leaked:  # the report is printed: it must not repeat the value
        assert leaked not in json.dumps(report.to_dict(), ensure_ascii=False)


# ---- the normalising itself


def test_normalise_removes_invisible_characters_and_folds_look_alike_letters():
    written = "PER\u200b7028\u00ad132 H\u043ellingworth\u2060 \uff11\uff10/03/2004\ufeff"
    normal = normalise(written)
    assert normal.text == "PER7028132 Hollingworth 10/03/2004"
    # each position maps back to the character as written
    for pos, ch in enumerate(normal.text):
        original = written[normal.original(pos)]
        assert original == ch or normalise(original).text == ch, (pos, ch, original)
    assert normalise("plain text").text == "plain text"
    assert (
        fold_name("SIOBH\u00c1N")
        == fold_name("Siobhan")
        == fold_name("Si\u043ebh\u0430n")
        == "siobhan"
    )


# ---- identifiers written with other separators


IDENTIFIER_PLANTS = {
    "PNC ID with a space for the slash": ("PNC 89 920945F", "920945F"),
    "nominal number with a thousands comma": ("Nominal 428,132", "428,132"),
    "nominal number with a space": ("nominal 428 132", "428 132"),
    "person ID with a space": ("PER 7028132", "7028132"),
    "person ID with a hyphen": ("suspect per-7028132", "7028132"),
    "crime reference with a hyphen": ("crime 00001516-16", "00001516-16"),
    "crime reference with a dot": ("crime 00001516.16", "00001516.16"),
    "CMS crime reference with spaces": ("CM 16 0004418", "0004418"),
    "crime reference with a zero-width space": ("crime 0000\u200b1516/16", "1516/16"),
    "person ID with a zero-width space": ("PER7028\u200b132", "132"),
    "nominal number in fullwidth digits": ("\uff14\uff12\uff18\uff11\uff13\uff12", None),
}


@pytest.mark.parametrize("label, leaked", IDENTIFIER_PLANTS.values(), ids=IDENTIFIER_PLANTS.keys())
def test_an_identifier_written_with_another_separator_fails(sensitive, label, leaked):
    assert_only(gate_on_label(label, sensitive), "identifier", leaked)


def test_the_tools_own_figures_with_thousands_separators_pass_but_a_label_holding_one_fails(
    sensitive,
):
    # 428,132 is someone's nominal number: as a count the tool wrote in a figure cell, it passes
    figures = pd.DataFrame(
        {"Records read": ["428,132", "1,428,132"]},
        index=pd.Index(["CMS_NOMINALS.csv", "Total"], name="Extract file"),
    )
    assert check_tables({"quality": figures}, T, sensitive).passed
    # the same as a row label or a column label is someone's nominal number
    assert_only(
        check_tables({"q": figures.rename(index={"Total": "428,132"})}, T, sensitive), "identifier"
    )
    assert_only(
        check_tables(
            {"q": figures.rename(columns={"Records read": "Nominal 428,132"})}, T, sensitive
        ),
        "identifier",
    )


def test_a_figure_in_the_page_written_with_thousands_separators_passes(tmp_path, sensitive):
    release = tmp_path / "release"
    release.mkdir()
    (release / "briefing.html").write_text(
        "<table><tr><th>CMS_NOMINALS.csv</th><td>428,132</td><td>428</td><td>132</td></tr></table>"
        "<p>428,132 records were read.</p>",
        encoding="utf-8",
    )
    assert check_release(release, T, sensitive).passed


def test_a_zero_width_space_in_a_reference_on_the_page_is_found_where_it_is(tmp_path, sensitive):
    release = tmp_path / "release"
    release.mkdir()
    (release / "briefing.html").write_text(
        "<p>Fine.</p>\n<p>\u00e9\u00e9 Crime 0000\u200b1516/16 \u2014 see</p>\n", encoding="utf-8"
    )
    report = check_release(release, T, sensitive)
    assert_only(report, "identifier")
    assert "line 2" in report.findings[0].detail


# ---- a force whose person numbers have five digits: its shapes are its profile's, not the code's

#: the forms a profile of such a force gives (`identifier_formats`)
FIVE_DIGIT_FORMS = {"crime number": r"KX/\d{2}/\d{4}", "person number": r"P\d{5}"}


def five_digit_force(formats: dict[str, str] = FIVE_DIGIT_FORMS) -> FrameSensitive:
    crimes = pd.DataFrame({"crime_ref": ["KX/17/0042"], "circumstances": [IN_SCOPE_TEXT]})
    people = pd.DataFrame(
        {"crime_ref": ["KX/17/0042"], "person_ref": ["P12345"], "surname": ["Okafor"], "forenames": ["Ada"], "date_of_birth": ["2005-07-19"]}
    )
    return FrameSensitive(crimes, people, formats=formats)


FIVE_DIGIT_PLANTS = {
    "spaced": ("person P 12345", "12345"),
    "hyphenated": ("person p-12345", "12345"),
    "with a dot": ("person P.12345", "12345"),
    "in fullwidth digits": ("person P\uff11\uff12\uff13\uff14\uff15", None),
    "in fullwidth digits, spaced": ("person P \uff11\uff12\uff13\uff14\uff15", None),
    "with a zero-width space": ("person P123\u200b45", "45"),
    "in a look-alike letter": ("person \u0420 12345", "12345"),  # Cyrillic Er
    "crime number with spaces": ("crime KX 17 0042", "0042"),
    "crime number with hyphens, lower case": ("crime kx-17-0042", "0042"),
}


@pytest.mark.parametrize("label, leaked", FIVE_DIGIT_PLANTS.values(), ids=FIVE_DIGIT_PLANTS.keys())
def test_a_five_digit_forces_identifier_written_disguised_fails_with_its_profile(label, leaked):
    report = gate_on_label(label, five_digit_force())
    assert_only(report, "identifier", leaked)
    assert report.findings[0].detail.split(" ")[0] in ("person", "crime")


@pytest.mark.parametrize(
    "page",
    ["<p>person P<b>12345</b></p>", "<p>person P1<span>23</span>45</p>", "<p>crime KX/<em>17</em>/0042</p>"],
    ids=["tag after the letter", "tags inside the number", "tags inside the crime number"],
)
def test_a_five_digit_forces_identifier_split_by_markup_fails(tmp_path, page):
    release = tmp_path / "release"
    release.mkdir()
    (release / "briefing.html").write_text(page, encoding="utf-8")
    assert_only(check_release(release, T, five_digit_force()), "identifier")


def test_the_five_digit_forces_numbers_that_are_no_ones_pass():
    assert gate_on_label("person P 12346, crime KX 17 0043, 12,345 records", five_digit_force()).passed


def test_without_its_profiles_forms_a_spaced_five_digit_person_number_would_pass():
    """What the profile's forms are for: the code knows no force's shapes."""
    assert gate_on_label("person P 12345", five_digit_force(formats={})).passed
    assert gate_on_label("PER 7028132, CM 16 0004418", FrameSensitive(CRIMES, PEOPLE)).passed


# ---- names, and dates of birth written in other ways


FULL_NAME_PLANTS = {
    "forename surname": "Support offered to Maisie Hollingworth",
    "surname, forename": "HOLLINGWORTH, Maisie",
    "second forename": "Jane Hollingworth (victim)",
    "lower case, accent added": "maisie hollingwörth",
    "suspect, upper case": "CRAIG BAXENDALE",
}


@pytest.mark.parametrize("label", FULL_NAME_PLANTS.values(), ids=FULL_NAME_PLANTS.keys())
def test_a_full_name_of_someone_on_the_requests_crimes_fails_without_a_date_of_birth(sensitive, label):
    report = gate_on_label(label, sensitive)
    assert_only(report, "name_with_dob", "Hollingworth")
    assert report.summary_line().startswith("release gate: FAILED: charged contains a person's full name")


def test_a_full_name_of_someone_on_other_crimes_only_passes_without_a_date_of_birth(sensitive):
    # Nowak is on a crime outside the request: his name alone is not the request's to leak
    assert gate_on_label("Kacper Nowak", sensitive).passed


def test_the_extracts_people_on_the_requests_crimes_are_named_whatever_their_role(tmp_path):
    from builders import cms_crime, connect_crime, write_extract

    from helpers.extracts.load import load_extracts
    from helpers.gate.sensitive import ExtractSensitive

    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms_crime("CM/16/0004418")],
        connect_crimes=[connect_crime("00001516/16")],
        connect_persons=[{"Crime Reference": "00001516/16", "Person ID": "PER7028132", "Role": "Victim", "Surname": "Hollingworth", "Forename": "Maisie", "Date of Birth": "2005-07-19"}],
        CMS_NOMINALS=[{"CRIME NO": "CM/16/0004418", "NOMINAL NO": "428132", "INVOLVEMENT": "WITNESS", "SURNAME": "NOWAK", "FORENAMES": "KACPER", "DOB": "10/03/2004"}],
    )
    sensitive = ExtractSensitive(load_extracts(folder, personal_data=True), ["00001516/16"])
    assert_only(gate_on_label("Maisie Hollingworth", sensitive), "name_with_dob")
    assert gate_on_label("Kacper Nowak", sensitive).passed  # on another crime only
    sensitive.text_ids = ["00001516/16", "CM/16/0004418"]  # the next request's crimes
    assert_only(gate_on_label("NOWAK, Kacper", sensitive), "name_with_dob")


DOB_PLANTS = {
    "spaces": "Kacper Nowak 10 03 2004",
    "no separator": "Nowak born 10032004",
    "ordinal words": "Nowak, born the tenth of March 2004",
    "month first, ordinal words": "NOWAK (March the tenth, 2004)",
    "day, month abbreviated, hyphens": "Nowak 10-Mar-2004",
    "dots, zero-width space": "Nowak 10.\u200b03.2004",
    "Cyrillic letter in the surname": "N\u043ewak 10/03/2004",
}


@pytest.mark.parametrize("label", DOB_PLANTS.values(), ids=DOB_PLANTS.keys())
def test_a_name_with_a_date_of_birth_written_another_way_fails(sensitive, label):
    assert_only(gate_on_label(label, sensitive), "name_with_dob", "Nowak")


def test_a_cyrillic_letter_inside_a_full_name_fails(sensitive):
    assert_only(gate_on_label("Maisie H\u043ellingw\u043erth", sensitive), "name_with_dob")


# ---- text copied from a crime outside the search scope


def test_eight_words_copied_from_a_text_outside_the_search_scope_fail(sensitive):
    copied = "Concerns: a grey van had been parked near the primary school"
    assert_only(gate_on_label(copied, sensitive), "copied_text")


def test_eight_words_from_outside_the_scope_fail_against_the_extract_too(tmp_path):
    from builders import cms_crime, connect_crime, write_extract

    from helpers.extracts.load import load_extracts
    from helpers.gate.sensitive import ExtractSensitive

    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms_crime("CM/16/0004418", CIRCUMSTANCES=OUT_OF_SCOPE_TEXT)],
        connect_crimes=[connect_crime("00001516/16", Circumstances=IN_SCOPE_TEXT)],
    )
    sensitive = ExtractSensitive(load_extracts(folder, personal_data=True), ["00001516/16"])
    assert_only(
        gate_on_label("a grey van had been parked near the primary school", sensitive),
        "copied_text",
    )
    assert gate_on_label("Grey van had been parked near the school gates", sensitive).passed  # 7 words, then another


def test_eight_words_copied_with_a_zero_width_space_and_a_cyrillic_letter_fail(sensitive):
    copied = "a grey v\u0430n had been par\u200bked near the primary school"  # Cyrillic а
    assert_only(gate_on_label(copied, sensitive), "copied_text")


def test_the_texts_holding_a_run_are_always_among_those_the_search_of_the_extract_keeps():
    """The search of every text keeps those holding a run's anchor words as words, where the
    words are cut as the copied-text rule cuts them: at any character but an ASCII letter or a
    digit (an underscore, an accented letter, the Kelvin sign), in any case."""
    import pyarrow as pa

    from helpers.gate.rules.copied_text import _NOT_WORD, _texts_holding

    texts = pa.chunked_array([pa.array(["x \u212acoordinator y", "COORDINATOR", "coordinators", "a_coordinator", None, "grey\u00e9van", "grey  ,Van", "greyvan"])])
    assert _texts_holding(texts, ["coordinator"], [f"grey{_NOT_WORD}+van"]).tolist() == [0, 1, 3, 5, 6]


def test_copied_runs_are_found_among_a_million_like_texts_by_their_rare_words():
    """Every text of the extract is searched through its anchor words: a run of common words
    (anchored on a pair of them) and a run with a rare word are both found among many texts."""
    import random

    from helpers.gate.readers import Content, Segment
    from helpers.gate.rules.copied_text import _copies_in_all_texts

    rng = random.Random(3)
    common = "the victim said that he was at home when a man came to door and left".split()
    texts = [" ".join(rng.choice(common) for _ in range(20)) for _ in range(30_000)]
    texts[20_001] = "Later: the man said that he was at home when she left."
    texts[25_002] = "Neighbour saw a Zephyrine kite over the wall of the old gasworks yard."
    release = [Content("charged", [Segment("man said that he was at home when she"), Segment("a zephyrine kite over the wall of the old gasworks")])]
    import pyarrow as pa

    pairs, _ = _copies_in_all_texts(release, pa.chunked_array([pa.array(texts)]))
    assert sorted(set(pairs["text"])) == [20_001, 25_002]


def test_eight_words_copied_into_a_question_fail_in_the_manifest(tmp_path, sensitive):
    release = tmp_path / "release"
    release.mkdir()
    question = "Why had a grey van been parked near the primary school gates every afternoon?"
    write_manifest(release, reference="20180075", parameters={"reference": "20180075", "questions": [question]}, project_version="0.1.0", extract_files={}, run_time="t")
    report = check_release(release, T, sensitive)
    assert_only(report, "copied_text")
    assert "at parameters/questions[0]" in report.findings[0].detail


def test_the_search_of_every_text_looks_again_only_for_anchors_it_has_not_seen(monkeypatch):
    """A batch's next request on the same extract asks mostly for the same anchors: what was
    found in the texts is kept with them, and RE2 runs again only for new anchors."""
    import pyarrow as pa

    from helpers.gate.rules import copied_text

    texts = pa.chunked_array([pa.array(["a grey van near the school", "a red van", "nothing"])])
    passes = []
    real = copied_text._holding
    monkeypatch.setattr(copied_text, "_holding", lambda t, anchors: passes.append(len(t)) or real(t, anchors))
    assert copied_text._texts_holding(texts, ["grey", "red"], []).tolist() == [0, 1]
    assert passes[0] == 3  # one pass over every text, then each anchor over the texts it kept
    passes.clear()
    assert copied_text._texts_holding(texts, ["grey"], []).tolist() == [0]
    assert passes == []
    assert copied_text._texts_holding(texts, ["red", "school"], []).tolist() == [0, 1]
    assert passes[0] == 3 and len(passes) == 2  # "school" only


def test_the_search_of_every_text_reads_what_another_process_kept_and_keeps_what_it_searched(tmp_path, monkeypatch):
    """The extract cache keeps each anchor's texts for the other processes of a run or a batch
    (`helpers.cache.searches`): a new process (nothing kept in memory) searches only for the
    anchors no process has searched for, and finds the same texts."""
    import pyarrow as pa

    from helpers.cache.searches import KeptSearches
    from helpers.gate.rules import copied_text

    def texts():  # the same texts, as another process reads them
        return pa.chunked_array([pa.array(["a grey van near the school", "a red van", "nothing"])])

    saved = KeptSearches(tmp_path, 3)
    passes = []
    real = copied_text._holding
    monkeypatch.setattr(copied_text, "_holding", lambda t, anchors: passes.append(anchors) or real(t, anchors))
    assert copied_text._texts_holding(texts(), ["grey", "red"], [], saved).tolist() == [0, 1]
    assert passes
    passes.clear()
    assert copied_text._texts_holding(texts(), ["red", "grey"], [], saved).tolist() == [0, 1]
    assert passes == []  # both read from where the first process kept them
    assert copied_text._texts_holding(texts(), ["red", "school"], [], saved).tolist() == [0, 1]
    assert ["school"] in passes and not any("red" in anchors for anchors in passes)


# ---- what must still be released


BENIGN_LABELS = [
    "Meeting a child following sexual grooming (s15 Sexual Offences Act 2003)",
    "Attempting to meet a child following sexual grooming (s1(1) Criminal Attempts Act 1981)",
    "Non-contact offences – 13-15 year-olds",
    "Charged/summonsed",
    "Investigation complete – no suspect identified",
    "Evidence from paedophile hunter groups",
    "Hunter-group evidence found",
    "Hunter",  # a surname of a witness on the request's crimes, alone
    "Dale",  # a forename alone
    "Offences recorded from 1 January 2015 to 31 December 2017",
    "Extracts taken on 2019-01-01; request received 10/03/2018",
    "Records read: 1,299,472 (CMS_NOMINALS.csv)",
    "Outcome types 1, 14 and 15, 2015-2017",
    "Section 15, 2003 Act: 428 offences and 132 charges",
]


@pytest.mark.parametrize("label", BENIGN_LABELS)
def test_realistic_benign_labels_are_released(sensitive, label):
    report = gate_on_label(label, sensitive)
    assert report.passed, report.findings


def test_a_release_with_the_tools_figures_statute_years_and_the_manifests_hashes_passes(
    tmp_path, sensitive
):
    release = tmp_path / "release"
    (release / "tables").mkdir(parents=True)
    (release / "briefing.html").write_text(
        "<h1>People charged with meeting a child following sexual grooming, 2017</h1>"
        "<p>Offences under s15 Sexual Offences Act 2003 and s1(1) Criminal Attempts Act 1981.</p>"
        "<table><tr><th>Hunter-group evidence found</th><td>428</td><td>132</td><td>1,069</td></tr>"
        "<tr><th>Records read</th><td>428,132</td><td>1,299,472</td></tr></table>"
        "<p>The words \u201chunter\u201d and \u201cpaedophile hunter\u201d were searched; 3,218 crimes.</p>",
        encoding="utf-8",
    )
    (release / "tables" / "quality.csv").write_text(
        'Extract file,Records read,Records set aside\nCMS_NOMINALS.csv,"428,132",0\nTotal,"1,428,132",0\n',
        encoding="utf-8",
    )
    write_manifest(
        release,
        reference="20180075",
        parameters={
            "reference": "20180075",
            "period_from": date(2015, 1, 1),
            "questions": ["How many people were charged (Sexual Offences Act 2003)?"],
        },
        project_version="0.1.0",
        extract_files={
            "CMS_NOMINALS.csv": "ab" + "428132" + "c" * 56,
            "connect_persons.csv": "0" * 20 + "7028132" + "f" * 37,
        },
        run_time="2026-01-01T12:00:00+00:00",
    )
    report = check_release(release, T, sensitive)
    assert report.passed, report.findings


def test_the_benign_labels_pass_with_the_data_holding_their_numbers_as_dates_of_birth(sensitive):
    """A date that is not a date of birth: the data has a Hunter born on the day the request was
    received; a label with the surname alone and that date passes (a capitalised surname with a
    date of birth fails, as before, when they are near each other in a sentence about a person)."""
    people = PEOPLE.assign(
        date_of_birth=PEOPLE["date_of_birth"].where(PEOPLE["surname"] != "Hunter", "2018-03-10")
    )
    data = FrameSensitive(CRIMES, people, scope=SCOPE, formats=SHIPPED_FORMS)
    assert check_tables(
        label_table("Evidence from hunter groups, received 10/03/2018"), T, data
    ).passed


def test_what_the_gate_found_in_an_extract_is_kept_for_a_new_store_of_the_same_files():
    """The runner opens the extract's cache anew for each request of a batch: what the checks
    read and found (the search of every text above all) is kept by the extract's files' SHA-256s,
    not only with the store object, and not for an extract of other files."""
    from types import SimpleNamespace

    from helpers.gate.sensitive import ExtractSensitive

    class Store:
        def has_personal(self):
            return True

    def extract(digest):
        return SimpleNamespace(store=Store(), files={"CMS_CRIMES.csv": {"sha256": digest}})

    first = ExtractSensitive(extract("a" * 64))
    again = ExtractSensitive(extract("a" * 64))
    other = ExtractSensitive(extract("b" * 64))
    assert again._kept is first._kept
    assert other._kept is not first._kept
    same_store = ExtractSensitive(SimpleNamespace(store=first.extract.store, files={}))
    assert same_store._kept is first._kept
