"""The request grammar's counting engine (`helpers.request.measures`) on a small hand-built
extract: every count kind and breakdown, with expectations counted by hand below.

The extract (UK time; `damage` = class 058/01):

crime            system   recorded              committed    class   status     outcome  text
CM/16/0000001    CMS      10/03/2016 09:00      01/03/2016   058/01  live       1        Snapchat
CM/16/0000002    CMS      20/07/2016 10:00      15/07/2016   058/01  live       14
CM/17/0000003    CMS      05/05/2017 10:00      -            058/02  cancelled  -
CM/17/0000004 -> 00000010/18 (migrated)
                 CMS      30/11/2017 23:30      29/11/2017   058/01  live       18       snapchat filter
00000011/18      Connect  01/02/2018 10:00      31/01/2018   058/01  live       1        Snapchat
00000012/18      Connect  02/04/2018 00:30      -            058/01  live       -        no Snapchat
00000013/18      Connect  10/12/2018 10:00      09/12/2018   058/01  live       -
00000014/18      Connect  15/06/2018 10:00      14/06/2018   028/03  live       15       Snapchat

people: A (CMS 100001, born 01/03/2004) victim on ..01 (aged 12) and ..02 (12); B (100003, born
16/07/2000) victim on ..02 (15); C (100004 = Connect PN1 by its legacy key, no date of birth)
victim on the migrated crime; D (PN2, born 2001-06-01) victim on ..11 (16); E (PN4, born
1999-01-01) victim on ..12 (no committed date: age not known); F (PN5, born 1980-01-01) victim
on ..14; S (100002 = Connect PN3 by PNC ID, born 1990) suspect on ..01 (26) and ..11 (28).

charges: S on ..01 on 01/06/2016 under CD71001 and CD71002; S on ..11 on 2018-03-01 under
CD71001; F on ..14 on 2018-07-01 under CD71001.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from builders import cms_crime, connect_crime, migrated, write_extract

from helpers.disclosure.tables import TOTAL, Link
from helpers.extracts import ho_classes
from helpers.extracts.load import load_extracts
from helpers.request import measures
from helpers.request.measures import answer_tables, cut_label, time_units
from helpers.request.parameters import validate_parameters
from helpers.synthetic.truth_tables import class_label

PNC = "11/794853M"


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grammar") / "extracts"
    cms_copy, connect_copy = migrated(
        "CM/17/0000004",
        "00000010/18",
        "2017-11-30T23:30:00",
        cms_class="058/01",
        connect_class="58/1",
        **{"Committed Date": "2017-11-29", "Outcome": "OC18", "Circumstances": "He used a snapchat filter on the photo."},
    )
    write_extract(
        folder,
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", "10/03/2016 09:00", **{"DATE COMMITTED": "01/03/2016", "HO CLASS": "058/01", "HO OUTCOME": "1", "CIRCUMSTANCES": "The victim saw it on Snapchat."}),
            cms_crime("CM/16/0000002", "20/07/2016 10:00", **{"DATE COMMITTED": "15/07/2016", "HO CLASS": "058/01", "HO OUTCOME": "14", "CIRCUMSTANCES": "A window was smashed."}),
            cms_crime("CM/17/0000003", "05/05/2017 10:00", **{"HO CLASS": "058/02", "CRIME STATUS": "NO CRIME", "CIRCUMSTANCES": "A door was kicked."}),
            cms_copy,
        ],
        connect_crimes=[
            connect_copy,
            connect_crime("00000011/18", "2018-02-01T10:00:00", **{"Committed Date": "2018-01-31", "HO Class": "58/1", "Outcome": "OC1", "Circumstances": "The suspect posted it on Snapchat."}),
            connect_crime("00000012/18", "2018-04-02T00:30:00", **{"HO Class": "58/1", "Circumstances": "There was no Snapchat involvement."}),
            connect_crime("00000013/18", "2018-12-10T10:00:00", **{"Committed Date": "2018-12-09", "HO Class": "58/1", "Circumstances": "Graffiti on a wall."}),
            connect_crime("00000014/18", "2018-06-15T10:00:00", **{"Committed Date": "2018-06-14", "HO Class": "28/3", "Outcome": "OC15", "Circumstances": "Snapchat messages were sent."}),
        ],
        CMS_NOMINALS=[
            {"CRIME NO": "CM/16/0000001", "NOMINAL NO": "100001", "INVOLVEMENT": "VICTIM", "DOB": "01/03/2004"},
            {"CRIME NO": "CM/16/0000001", "NOMINAL NO": "100002", "INVOLVEMENT": "SUSPECT", "DOB": "01/01/1990", "PNC ID": "2011/0794853M"},
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "100003", "INVOLVEMENT": "VICTIM", "DOB": "16/07/2000"},
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "100001", "INVOLVEMENT": "VICTIM", "DOB": "01/03/2004"},
            {"CRIME NO": "CM/17/0000004", "NOMINAL NO": "100004", "INVOLVEMENT": "VICTIM", "DOB": ""},
        ],
        connect_persons=[
            {"Crime Reference": "00000010/18", "Person ID": "PN1", "Legacy Nominal No": "100004", "Role": "Victim", "Date of Birth": ""},
            {"Crime Reference": "00000011/18", "Person ID": "PN2", "Role": "Victim", "Date of Birth": "2001-06-01"},
            {"Crime Reference": "00000011/18", "Person ID": "PN3", "Role": "Suspect", "Date of Birth": "1990-01-01", "PNC ID": PNC},
            {"Crime Reference": "00000012/18", "Person ID": "PN4", "Role": "Victim", "Date of Birth": "1999-01-01"},
            {"Crime Reference": "00000014/18", "Person ID": "PN5", "Role": "Victim", "Date of Birth": "1980-01-01"},
        ],
        CMS_CHARGES=[
            {"CRIME NO": "CM/16/0000001", "NOMINAL NO": "100002", "CHARGE DATE": "01/06/2016", "CJS CODE": "CD71001"},
            {"CRIME NO": "CM/16/0000001", "NOMINAL NO": "100002", "CHARGE DATE": "01/06/2016", "CJS CODE": "CD71002"},
        ],
        connect_charges=[
            {"Crime Reference": "00000011/18", "Person ID": "PN3", "Charge Date": "2018-03-01", "CJS Offence Code": "CD71001"},
            {"Crime Reference": "00000014/18", "Person ID": "PN5", "Charge Date": "2018-07-01", "CJS Offence Code": "CD71001"},
        ],
    )
    loaded = load_extracts(folder, personal_data=True)
    assert loaded.quarantine.empty, loaded.quarantine
    return loaded


PERIOD = {"from": "2016-01-01", "to": "2018-12-05"}
BASE = {
    "reference": "test",
    "title": "Damage",
    "questions": ["How many?"],
    "extracts_taken_on": "2019-01-01",
    "extracts_dir": "data/extracts",
    "class_groups": {"damage": {"label": "criminal damage to a dwelling", "classes": ["058/01"]}},
    "charge_groups": {
        "damage": {"label": "Damage", "codes": ["CD71001"]},
        "damage_other": {"label": "Other damage", "codes": ["CD 71002"]},
        "any": {"label": "Any damage", "codes": ["cd71001", "CD71002"]},
    },
    "age_bands": [
        {"label": "Under 13", "to": 12},
        {"label": "13 to 15", "from": 13, "to": 15},
        {"label": "16 and 17", "from": 16, "to": 17},
        {"label": "18 and over", "from": 18},
    ],
}


def table(extract, measure: dict, rows=None, columns=None, **keys) -> measures.AnswerTable:
    """The one table of a request counting `measure` by `rows` and `columns`."""
    values = copy.deepcopy(BASE) | keys
    values["measures"] = {"m": {"label": "things", "period": PERIOD} | measure}
    values["tables"] = [{"name": "t", "question": 1, "title": "T", "measure": "m", "rows": rows, "columns": columns}]
    (answer,) = answer_tables(validate_parameters(values), extract)
    return answer


def column(answer, name=None) -> dict[str, int]:
    """One column of the counts as {row: n} (the only one, or the one named)."""
    counts = answer.counts
    return {str(k): int(v) for k, v in counts[name if name is not None else counts.columns[0]].items()}


OFFENCES = {"count": "offences", "classes": ["damage"]}


def test_a_crime_measure_without_classes_counts_every_class(extract):
    """Found by a new user: "suspects on crimes whose circumstances mention an e-scooter" needed
    a list of every class in the extracts. Without classes, every class counts: the 028/03 crime
    ..14 (victim F) too. Snapchat is mentioned on ..01 (victim A, suspect S), the migrated crime
    (victim C), ..11 (victim D, suspect S) and ..14; only negated on ..12."""
    assert column(table(extract, {"count": "offences"}, rows="year"))[TOTAL] == 6  # ..01, 02, 04, 11, 12, 14
    victims = table(extract, {"count": "victims", "terms": ["snapchat"]}, rows="victim_age")
    assert column(victims)[TOTAL] == 4
    assert column(table(extract, {"count": "victims", "terms": ["snapchat"], "classes": ["damage"]}))[TOTAL] == 3
    assert column(table(extract, {"count": "suspects", "terms": ["snapchat"]}))[TOTAL] == 1
    by_class = table(extract, {"count": "offences"}, rows="offence_class")
    assert column(by_class) == {class_label("028/03"): 1, class_label("058/01"): 5, TOTAL: 6}


def test_offences_by_year_count_each_crime_once_by_its_first_recording_in_local_days(extract):
    answer = table(extract, OFFENCES, rows="year")
    # the migrated crime by its first recording (30 Nov 2017, 23:30): 2017; the 10 Dec 2018 crime
    # is after the period
    assert column(answer, "Offences") == {"2016": 2, "2017": 1, "2018 (to 5 Dec 2018)": 2, TOTAL: 5}
    assert answer.counts.index.name == "Year" and answer.additive
    assert answer.units[("2017", "Offences")] == {"crime:CM/17/0000004"}
    assert answer.units[(TOTAL, "Offences")] == {
        "crime:CM/16/0000001", "crime:CM/16/0000002", "crime:CM/17/0000004", "crime:00000011/18", "crime:00000012/18"
    }


def test_offences_by_financial_year_quarter_and_month(extract):
    by_fy = table(extract, OFFENCES, rows="financial_year")
    assert column(by_fy) == {"2015/16 (from 1 Jan 2016)": 1, "2016/17": 1, "2017/18": 2, "2018/19 (to 5 Dec 2018)": 1, TOTAL: 5}
    by_quarter = column(table(extract, OFFENCES, rows="quarter"))
    assert len(by_quarter) == 12 + 1
    assert by_quarter["Jan to Mar 2016"] == 1 and by_quarter["Oct to Dec 2017"] == 1
    assert by_quarter["Apr to Jun 2018"] == 1 and by_quarter["Oct to Dec 2018 (to 5 Dec 2018)"] == 0
    by_month = column(table(extract, OFFENCES, rows="month"))
    assert len(by_month) == 36 + 1
    assert by_month["Nov 2017"] == 1 and by_month["Dec 2017"] == 0 and by_month["Apr 2018"] == 1
    assert list(by_month)[-2] == "Dec 2018 (to 5 Dec 2018)"


def test_a_time_unit_cut_by_the_period_says_where():
    assert cut_label("2018", (pd.Timestamp("2018-01-01").date(), pd.Timestamp("2018-12-31").date()), (pd.Timestamp("2018-12-05").date(), pd.Timestamp("2018-12-31").date())) == "2018 (from 5 Dec 2018)"
    units = time_units("year", pd.Timestamp("2018-12-05").date(), pd.Timestamp("2018-12-31").date())
    assert [label for _, label in units] == ["2018 (from 5 Dec 2018)"]
    units = time_units("month", pd.Timestamp("2018-12-05").date(), pd.Timestamp("2018-12-20").date())
    assert [label for _, label in units] == ["Dec 2018 (5 Dec 2018 to 20 Dec 2018)"]
    # a table may name its units alone where its title says the period (`cut_labels: false`)
    units = time_units("year", pd.Timestamp("2016-12-01").date(), pd.Timestamp("2017-01-31").date(), cut_labels=False)
    assert units == [(pd.Timestamp("2016-12-01").date(), "2016"), (pd.Timestamp("2017-01-01").date(), "2017")]


def test_offences_by_outcome_group_the_home_office_groups_or_the_requests(extract):
    home_office = column(table(extract, OFFENCES, rows="outcome_group"))
    assert home_office["Charged/summonsed"] == 2
    assert home_office["Evidential difficulties"] == 1
    assert home_office["Investigation complete – no suspect identified"] == 1
    assert home_office["Not yet assigned an outcome"] == 1
    assert home_office["Out-of-court (formal)"] == 0 and home_office[TOTAL] == 5
    own = table(extract, OFFENCES, rows="outcome_group", outcome_groups={"Charged": [1], "No further action": [14, 15, 16, 18]})
    assert column(own) == {"Charged": 2, "No further action": 2, "Other outcomes": 0, "Not yet assigned an outcome": 1, TOTAL: 5}
    assert own.counts.index.name == "Outcome"


def test_offences_by_the_system_they_were_first_recorded_on(extract):
    assert column(table(extract, OFFENCES, rows="system")) == {"CMS": 3, "Connect": 2, TOTAL: 5}


def test_offences_by_class_show_every_class_asked_for_in_order_and_status_chooses_crimes(extract):
    measure = {"count": "offences", "classes": ["damage", "58/2"]}
    live = table(extract, measure, rows="offence_class")
    assert column(live) == {class_label("058/01"): 5, class_label("058/02"): 0, TOTAL: 5}
    everything = table(extract, {**measure, "status": "all"}, rows="offence_class")
    assert column(everything) == {class_label("058/01"): 5, class_label("058/02"): 1, TOTAL: 6}
    cancelled = table(extract, {**measure, "status": "cancelled"})
    assert column(cancelled) == {TOTAL: 1} and list(cancelled.counts.columns) == ["Offences"]


def test_offences_by_victim_age_count_a_crime_in_each_band_and_once_in_the_total(extract):
    answer = table(extract, OFFENCES, rows="victim_age")
    # ..02 has victims aged 12 and 15; the migrated crime's victim and ..12 (no committed date)
    assert column(answer) == {"Under 13": 2, "13 to 15": 1, "16 and 17": 1, "18 and over": 0, "Age not known": 2, TOTAL: 5}
    assert not answer.rows_add_up and answer.columns_add_up and not answer.additive
    assert answer.counts.index.name == "Age of the victim"


def test_offences_by_year_and_suspect_age_total_column_is_distinct_crimes(extract):
    answer = table(extract, OFFENCES, rows="year", columns="suspect_age")
    counts = answer.counts
    # only ..01 and ..11 have a suspect (aged 26 and 28); the others: age not known
    assert counts.loc["2016", "18 and over"] == 1 and counts.loc["2016", "Age not known"] == 1
    assert counts.loc["2018 (to 5 Dec 2018)", "18 and over"] == 1
    assert counts.loc[TOTAL, TOTAL] == 5 and counts.loc[TOTAL, "Age not known"] == 3
    assert answer.rows_add_up and not answer.columns_add_up
    # a reader is told that a crime with no suspect is among them
    assert any("or no suspect is recorded on the crime" in note for note in answer.notes)
    victims = table(extract, {"count": "victims", "classes": ["damage"]}, rows="victim_age")
    assert not any("recorded on the crime" in note for note in victims.notes)  # a victim is there


def test_victims_are_distinct_individuals_across_systems_and_crimes(extract):
    victims = {"count": "victims", "classes": ["damage"]}
    by_year = table(extract, victims, rows="year")
    # A is on two 2016 crimes; C's two records (CMS and Connect) are one person
    assert column(by_year) == {"2016": 2, "2017": 1, "2018 (to 5 Dec 2018)": 2, TOTAL: 5}
    assert not by_year.rows_add_up  # a person may be in two years
    by_age = table(extract, victims, rows="victim_age")
    assert column(by_age) == {"Under 13": 1, "13 to 15": 1, "16 and 17": 1, "18 and over": 0, "Age not known": 2, TOTAL: 5}
    assert by_age.units[("Under 13", "Victims")] == {"person:CMS:100001"}


def test_suspects_linked_by_pnc_id_are_one_person_once_in_the_total(extract):
    answer = table(extract, {"count": "suspects", "classes": ["damage"]}, rows="year")
    assert column(answer) == {"2016": 1, "2017": 0, "2018 (to 5 Dec 2018)": 1, TOTAL: 1}


def test_a_count_by_committed_date_leaves_out_crimes_without_one_and_says_how_many(extract):
    answer = table(extract, {**OFFENCES, "date": "committed"}, rows="year")
    # ..12 has no committed date; the migrated crime was committed on 29 Nov 2017; ..13 after
    assert column(answer) == {"2016": 2, "2017": 1, "2018 (to 5 Dec 2018)": 1, TOTAL: 4}
    assert answer.undated == 1
    assert answer.facts.date_basis == "committed"


def test_mentions_count_crimes_mentioning_a_term_not_negated_nor_inside_an_excluded_phrase(extract):
    measure = {"count": "mentions", "terms": ["snapchat"], "exclude_terms": ["snapchat filter"]}
    answer = table(extract, measure, rows="offence_class")
    # ..01, ..11 and ..14 (another class); not ..12 (negated), nor the migrated crime (a filter)
    assert column(answer, "Crimes") == {class_label("028/03"): 1, class_label("058/01"): 2, TOTAL: 3}
    assert "crime:00000012/18" in {f"crime:{c}" for c in answer.events.review.searched.to_pylist()}
    without = table(extract, {"count": "mentions", "terms": ["snapchat"]})
    assert column(without) == {TOTAL: 4}
    of_class = table(extract, {**measure, "classes": ["damage"]})
    assert column(of_class) == {TOTAL: 2}


def test_a_mentions_search_is_kept_in_the_cache_entry_and_asked_again_only_when_it_changes(extract, monkeypatch):
    from helpers.cache import entries as cache

    cached = cache.open_extract(extract.directory)  # an entry of the tests' own cache folder
    measure = {"count": "mentions", "terms": ["snapchat"], "exclude_terms": ["snapchat filter"]}
    assert column(table(cached, measure)) == {TOTAL: 3}
    searches = []
    search = measures.search_candidates
    monkeypatch.setattr(measures, "search_candidates", lambda *a: searches.append(a) or search(*a))
    assert column(table(cached, measure)) == {TOTAL: 3} and searches == []  # kept
    assert column(table(cached, {"count": "mentions", "terms": ["snapchat"]})) == {TOTAL: 4}
    assert column(table(cached, {**measure, "classes": ["damage"]})) == {TOTAL: 2}  # other crimes
    assert len(searches) == 2
    monkeypatch.setattr(measures.evidence, "search_code_fingerprint", lambda: "the rules changed")
    assert column(table(cached, measure)) == {TOTAL: 3} and len(searches) == 3


def test_a_requests_people_and_dates_of_birth_are_kept_in_the_cache_entry_and_looked_up_again_when_the_code_changes(extract, monkeypatch):
    """An age table found its people and their dates of birth by reading the person rows of the
    whole extract (2 million rows, in every run); a request run again finds them kept, and the
    same figures."""
    from helpers.cache import entries as cache

    cached = cache.open_extract(extract.directory)  # an entry of the tests' own cache folder
    victims = {"count": "victims", "classes": ["damage"]}
    first = table(cached, victims, rows="victim_age")
    looked = []
    for name in ("_linked_table", "_born_table"):
        original = getattr(measures.ExtractView, name)
        monkeypatch.setattr(measures.ExtractView, name, lambda self, *a, _o=original, _n=name: looked.append(_n) or _o(self, *a))
    again = table(cached, victims, rows="victim_age")
    assert looked == []  # kept
    pd.testing.assert_frame_equal(again.counts, first.counts)
    pd.testing.assert_frame_equal(first.counts, table(extract, victims, rows="victim_age").counts)  # no cache
    # the kept answers are the answers looked up
    view = measures.ExtractView(cached)
    rows = np.arange(len(cached.crimes))
    kept_people = view.people_on(rows)
    pd.testing.assert_frame_equal(kept_people, measures.linked_frame(view._linked_table(np.ones(view.people.num_rows, dtype=bool))))
    born = view.born(kept_people["individual"].to_numpy())
    assert born.notna().all() and len(born) > 0
    # the code changed: looked up again, the same figures
    monkeypatch.setattr(measures, "look_up_code_fingerprint", lambda: "the code changed")
    pd.testing.assert_frame_equal(table(cached, victims, rows="victim_age").counts, first.counts)
    assert {"_linked_table", "_born_table"} <= set(looked)
    # an answer of many rows is not kept: looked up each time
    monkeypatch.setattr(measures, "look_up_code_fingerprint", lambda: "the code changed again")
    monkeypatch.setattr(measures, "KEPT_ROWS_AT_MOST", 0)
    looked.clear()
    table(cached, victims, rows="victim_age")
    table(cached, victims, rows="victim_age")
    assert looked.count("_linked_table") == 2


def test_offences_with_terms_are_filtered_by_the_search(extract):
    assert column(table(extract, {**OFFENCES, "terms": ["snapchat"]}, rows="year")) == {"2016": 1, "2017": 1, "2018 (to 5 Dec 2018)": 1, TOTAL: 3}


def test_people_charged_are_distinct_individuals_by_charge_date_and_group(extract):
    measure = {"count": "people_charged", "charge_codes": ["damage", "damage_other"]}
    by_year = table(extract, measure, rows="year")
    assert column(by_year, "People charged") == {"2016": 1, "2017": 0, "2018 (to 5 Dec 2018)": 2, TOTAL: 2}
    by_group = table(extract, measure, rows="charge_group")
    assert column(by_group) == {"Damage": 2, "Other damage": 1, TOTAL: 2}
    assert by_group.counts.index.name == "Offence charged" and not by_group.rows_add_up


def test_the_notes_of_a_table_of_people_charged_speak_of_people(extract):
    """Found by a reader: a table of people charged by offence said "Charges are counted by the
    date of the charge, each charge once" and "A charge under more than one group is counted in
    each", of a table counting people."""
    measure = {"count": "people_charged", "charge_codes": ["damage", "damage_other", "any"]}
    by_group = table(extract, measure, rows="charge_group")
    assert "People are counted by the date they were charged." in by_group.notes
    assert "A person charged under more than one group is counted in each." in by_group.notes
    assert not any("charge once" in note or "A charge under" in note for note in by_group.notes)
    charges = table(extract, {**measure, "count": "charges"}, rows="charge_group")
    assert "Charges are counted by the date of the charge, each charge once." in charges.notes
    assert "A charge under more than one group is counted in each, once in the Total." in charges.notes


def test_an_age_note_of_a_count_by_committed_date_does_not_say_a_committed_date_may_be_missing(extract):
    """Found by a reader: "a crime with no committed date recorded is not counted", then "Age not
    known where no date of birth or committed date is recorded", under one table."""
    by_committed = table(extract, {"count": "victims", "classes": ["damage"], "date": "committed"}, rows="victim_age")
    (age,) = [note for note in by_committed.notes if note.startswith("Ages are")]
    assert "where no date of birth is recorded (or one could not be read)" in age
    by_recorded = table(extract, {"count": "victims", "classes": ["damage"]}, rows="victim_age")
    (age,) = [note for note in by_recorded.notes if note.startswith("Ages are")]
    assert "where no date of birth or committed date is recorded" in age


def test_a_class_no_crime_in_the_extracts_has_is_said_under_its_table_and_in_the_answer(extract):
    """Found by a reader: "we recorded no offences of criminal damage to a dwelling" and a row of
    0 for shoplifting, of classes the force records nothing under in any year (the run warned;
    the briefing said nothing)."""
    some = table(extract, {"count": "offences", "classes": ["damage", "099/99"]}, rows="offence_class")
    (note,) = [note for note in some.notes if note.startswith("No crime in our records")]
    assert note.startswith("No crime in our records, of any year, is classified as 099/99 (")
    assert "we may record such offences under another class" in note
    assert some.facts.caveat is None  # the other class has crimes: the answer's figure is theirs
    none = table(extract, {"count": "victims", "classes": ["099/99", "098/99"]})
    assert none.facts.caveat is not None and none.facts.caveat.startswith(
        "No crime in our records, of any year, is classified as 099/99 ("
    ) and ") or 098/99" in none.facts.caveat
    held = table(extract, {"count": "offences", "classes": ["damage"]})
    assert held.facts.caveat is None and not any(n.startswith("No crime in our records") for n in held.notes)


def test_the_data_quality_of_a_request_counting_only_crimes_says_nothing_of_people_or_charges(extract):
    """Found by a reader: requests counting crimes alone told how person records were linked and
    how many charges were copied into Connect."""
    from helpers.request.tables import data_quality_tables

    values = copy.deepcopy(BASE)
    values["measures"] = {"m": {"count": "offences", "label": "offences", "classes": ["damage"], "period": PERIOD}}
    values["tables"] = [{"name": "t", "question": 1, "title": "T", "measure": "m"}]
    crimes_only = validate_parameters(values)
    _, merging = data_quality_tables(extract, crimes_only)
    assert not any("Person" in row or "Individuals" in row or "Charges" in row for row in merging.counts.index)
    values["measures"]["m"] = {"count": "victims", "label": "victims", "classes": ["damage"], "period": PERIOD}
    _, merging = data_quality_tables(extract, validate_parameters(values))
    rows = list(merging.counts.index)
    assert "Person records" in rows and not any("Charges" in row for row in rows)
    values["measures"]["m"] = {"count": "charges", "label": "charges", "charge_codes": ["damage"], "period": PERIOD}
    _, merging = data_quality_tables(extract, validate_parameters(values))
    rows = list(merging.counts.index)
    assert "Person records" not in rows and any("Charges copied" in row for row in rows)
    values["measures"]["m"]["count"] = "people_charged"
    _, merging = data_quality_tables(extract, validate_parameters(values))
    rows = list(merging.counts.index)
    assert "Person records" in rows and any("Charges copied" in row for row in rows)


def test_charges_each_once_by_group_and_class(extract):
    measure = {"count": "charges", "charge_codes": ["damage", "damage_other"]}
    by_group = table(extract, measure, rows="charge_group", columns="year")
    counts = by_group.counts
    assert counts.loc["Damage", TOTAL] == 3 and counts.loc["Other damage", TOTAL] == 1
    assert counts.loc[TOTAL, TOTAL] == 4 and by_group.additive
    assert by_group.units[("Other damage", "2016")] == {"charge:crime:CM/16/0000001|CMS:100002|CD71002|2016-06-01"}
    by_class = table(extract, measure, rows="offence_class")
    assert column(by_class) == {class_label("028/03"): 1, class_label("058/01"): 3, TOTAL: 4}
    of_class = table(extract, {**measure, "classes": ["damage"]})
    assert column(of_class) == {TOTAL: 3}
    overlapping = table(extract, {"count": "charges", "charge_codes": ["damage", "any"]}, rows="charge_group")
    assert column(overlapping) == {"Damage": 3, "Any damage": 4, TOTAL: 4} and not overlapping.rows_add_up


def test_relative_periods_count_back_from_as_of_and_say_so(extract):
    answer = table(extract, {**OFFENCES, "period": {"last_years": 2}}, rows="year", as_of="2018-12-05")
    assert column(answer) == {"2016": 2, "2017": 1, TOTAL: 3}
    facts = answer.facts
    assert facts.period_words == "from 1 January 2016 to 31 December 2017"
    assert facts.relative_period == "the two complete years before 1 January 2018"
    assert facts.as_of is not None and facts.as_of.isoformat() == "2018-12-05"
    ytd = table(extract, {**OFFENCES, "period": {"year_to_date": True}}, as_of="2018-12-05").facts
    assert ytd.relative_period == "2018 up to 5 December" and ytd.period_words == "from 1 January 2018 to 5 December 2018"
    given = table(extract, OFFENCES).facts
    assert given.relative_period is None and given.as_of is None


def test_the_facts_say_what_the_briefing_needs(extract):
    answer = table(extract, OFFENCES, rows="year", columns="victim_age")
    facts = answer.facts
    assert (facts.name, facts.question, facts.measure, facts.measure_label, facts.count) == ("t", 1, "m", "things", "offences")
    assert (facts.rows, facts.columns, facts.chart) == ("year", "victim_age", True)
    assert any("age band" in note for note in facts.notes)
    assert answer.exact()[TOTAL][TOTAL] == 5


# ---- a request of tables only, through the steps without the notebook


TABLES_ONLY = {
    "reference": "T0001",
    "title": "Criminal damage and grooming",
    "questions": ["How many offences of criminal damage were recorded?", "How many people were charged with grooming?"],
    "extracts_taken_on": "2019-01-01",
    "class_groups": {"damage": {"label": "criminal damage", "classes": ["058/03"]}},
    "charge_groups": {"s15": {"label": "Meeting a child following sexual grooming", "codes": ["SX03225", "SX03226"]}},
    "age_bands": [{"label": "Under 18", "to": 17}, {"label": "18 and over", "from": 18}],
    "measures": {
        "damage": {"count": "offences", "label": "offences of criminal damage", "classes": ["damage"], "period": {"last_years": 3}},
        "victims": {"count": "victims", "label": "victims of criminal damage", "classes": ["damage"], "period": {"last_years": 3}},
        "charged": {"count": "people_charged", "label": "people charged", "charge_codes": ["s15"], "period": {"from": "2016-04-01", "to": "2018-03-31"}},
    },
    "tables": [
        {"name": "damage_by_year", "question": 1, "title": "Offences of criminal damage recorded, by year", "measure": "damage", "rows": "year", "columns": "outcome_group"},
        {"name": "damage_victims", "question": 1, "title": "Victims of criminal damage, by age", "measure": "victims", "rows": "financial_year", "columns": "victim_age"},
        {"name": "charged", "question": 2, "title": "People charged", "measure": "charged"},
    ],
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from builders import sample_or_synthetic

    return sample_or_synthetic(tmp_path_factory)


def test_a_request_of_tables_only_runs_its_steps_and_writes_its_tables(sample, tmp_path, monkeypatch):
    import json

    from helpers.request import steps

    monkeypatch.setenv("FOI_NO_CACHE", "1")
    params = validate_parameters({**TABLES_ONLY, "extracts_dir": str(sample), "output_dir": str(tmp_path)})
    paths = steps.OutputPaths.for_request(params).make()
    extract = steps.load(params)
    answers = steps.answer(params, extract)
    exact = steps.write_restricted(paths, params, extract, answers)
    released = steps.protect(params, extract, answers)
    released = steps.protect_across_releases(params, extract, released, answers)
    steps.write_release_tables(paths, params, released, extract)

    # the sample titles 058/03 "Criminal damage to a vehicle", the shipped list otherwise, and
    # the shipped profile gives the force's title: no warning
    assert list(exact) == ["reference", "as_of", "tables", "data_quality"]
    assert exact["as_of"] == "2019-01-01"
    written = json.loads((paths.restricted / "results.json").read_text(encoding="utf-8"))
    assert written["tables"]["damage_by_year"]["counts"] == answers[0].exact()
    assert written["tables"]["charged"]["period"] == {"from": "2016-04-01", "to": "2018-03-31"}
    assert list(written["tables"]["damage_by_year"]["counts"]) == ["2016", "2017", "2018", "Total"]
    files = sorted(path.name for path in paths.tables.iterdir())
    assert files == ["charged.csv", "damage_by_year.csv", "damage_victims.csv", "data_quality_files.csv", "data_quality_merging.csv"]
    header = (paths.tables / "damage_victims.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "Financial year,Under 18,18 and over,Age not known,Total"
    # every answer cell's units go to the disclosure log's record, as today's tables' do
    cells = json.loads((paths.restricted / "disclosure_cells.json").read_text(encoding="utf-8"))["cells"]
    assert {cell["table"] for cell in cells} == {"damage_by_year", "damage_victims", "charged"}
    assert len(cells) == sum(answer.counts.size for answer in answers)
    assert not answers[1].additive and "distinct totals" in released.protection.link_kinds
    assert list(released.answers) == ["damage_by_year", "damage_victims", "charged"]
    assert released.answers["damage_by_year"].relative_period == "the three complete years before 1 January 2019"
    assert not (paths.restricted / "evidence_candidates.csv").exists()


def test_todays_request_with_tables_keeps_its_keys_and_adds_as_of_and_tables(sample, tmp_path, monkeypatch):
    import yaml

    from helpers.project import project_root
    from helpers.request import steps

    monkeypatch.setenv("FOI_NO_CACHE", "1")
    values = yaml.safe_load((project_root() / "parameters" / "20180075.yaml").read_text(encoding="utf-8"))
    values.update(extracts_dir=str(sample), output_dir=str(tmp_path))
    plain = _results(steps, validate_parameters(values))
    values["measures"] = {"grooming": {"count": "offences", "label": "offences", "classes": ["088/01", "088/02"], "period": {"from": "2015-01-01", "to": "2017-12-31"}}}
    values["tables"] = [{"name": "grooming_by_year", "question": 1, "title": "Offences by year", "measure": "grooming", "rows": "year"}]
    both = _results(steps, validate_parameters(values))
    todays = ["people_charged", "offences_by_year", "outcomes_by_year", "evidence_review"]
    assert list(plain) == [*list(plain)[:6], "as_of", "tables", "data_quality"] and list(plain["tables"]) == todays
    assert list(both) == list(plain) and list(both["tables"]) == [*todays, "grooming_by_year"]
    assert {key: both[key] for key in list(both)[:6]} == {key: plain[key] for key in list(plain)[:6]}
    # the same offences, counted by the request's own table and by today's
    by_year = {row: counts["Offences"] for row, counts in both["tables"]["grooming_by_year"]["counts"].items()}
    assert by_year == {**both["offences_by_year"], "Total": sum(both["offences_by_year"].values())}


def _results(steps, params):
    extract = steps.load(params)
    return steps.results(params, extract, steps.answer(params, extract))


SHARED = {
    "offences": {"count": "offences", "label": "offences", "classes": ["058/01", "058/02"], "period": PERIOD},
    # the same crimes (the classes in another order): selected once with offences
    "victims": {"count": "victims", "label": "victims", "classes": ["058/02", "058/01"], "period": PERIOD},
    "suspects": {"count": "suspects", "label": "suspects", "classes": ["058/01", "058/02"], "period": PERIOD},
    # another period, or status: their own
    "shorter": {"count": "offences", "label": "offences", "classes": ["058/01", "058/02"], "period": {"from": "2016-01-01", "to": "2018-03-31"}},
    "cancelled": {"count": "offences", "label": "offences", "classes": ["058/01", "058/02"], "period": PERIOD, "status": "all"},
    "charged": {"count": "people_charged", "label": "people charged", "charge_codes": ["damage", "damage_other"], "period": PERIOD},
    # the same charges (a group of the same codes): selected once with charged
    "charges": {"count": "charges", "label": "charges", "charge_codes": ["any"], "period": PERIOD},
    "some_charges": {"count": "charges", "label": "charges", "charge_codes": ["damage"], "period": PERIOD},
}
SHARED_TABLES = [
    {"name": "offences_by_year", "measure": "offences", "rows": "year"},
    {"name": "victims_by_age", "measure": "victims", "rows": "victim_age"},
    {"name": "suspects_by_age", "measure": "suspects", "rows": "suspect_age", "columns": "year"},
    {"name": "shorter_by_year", "measure": "shorter", "rows": "year"},
    {"name": "cancelled_by_year", "measure": "cancelled", "rows": "year"},
    {"name": "charged_by_group", "measure": "charged", "rows": "charge_group"},
    {"name": "charges_by_year", "measure": "charges", "rows": "year"},
    {"name": "some_charges_by_year", "measure": "some_charges", "rows": "year"},
]


def test_measures_of_the_same_crimes_or_charges_select_them_once_and_count_as_each_alone(extract, monkeypatch):
    selected = {"crimes": [], "charges": [], "people on": 0}
    real_crimes, real_charges, real_linked = measures.selected_crimes, measures.selected_charges, measures.ExtractView._linked_table

    def crimes(view, selection):
        selected["crimes"].append(selection)
        return real_crimes(view, selection)

    def charges(view, selection):
        selected["charges"].append(selection)
        return real_charges(view, selection)

    def linked(view, found):
        selected["people on"] += 1
        return real_linked(view, found)

    monkeypatch.setattr(measures, "selected_crimes", crimes)
    monkeypatch.setattr(measures, "selected_charges", charges)
    monkeypatch.setattr(measures.ExtractView, "_linked_table", linked)

    def request(*tables):
        values = copy.deepcopy(BASE)
        values["measures"] = {t["measure"]: SHARED[t["measure"]] for t in tables}
        values["tables"] = [{"question": 1, "title": "T"} | t for t in tables]
        return answer_tables(validate_parameters(values), extract)

    def selection_of(kind, name):
        values = copy.deepcopy(BASE) | {"measures": {name: SHARED[name]}}
        return kind.of(validate_parameters(values | {"tables": [{"name": "t", "question": 1, "title": "T", "measure": name}]}), name)

    together = request(*SHARED_TABLES)
    assert selected["crimes"] == [selection_of(measures.CrimeSelection, m) for m in ("offences", "shorter", "cancelled")]
    assert selected["charges"] == [selection_of(measures.ChargeSelection, m) for m in ("charged", "some_charges")]
    assert selected["people on"] == 1  # the victims' and the suspects' crimes: the same
    for answer, alone in zip(together, [request(t)[0] for t in SHARED_TABLES], strict=True):
        assert answer.exact() == alone.exact(), answer.name
        assert answer.units == alone.units, answer.name
    total = {t.name: t.exact()["Total"] for t in together}
    # what is not shared counts other crimes: one of April 2018, one cancelled, another code
    assert total["shorter_by_year"]["Offences"] < total["offences_by_year"]["Offences"]
    assert total["cancelled_by_year"]["Offences"] > total["offences_by_year"]["Offences"]
    assert total["some_charges_by_year"]["Charges"] < total["charges_by_year"]["Charges"]


def test_an_events_crime_is_taken_by_its_row_and_a_crime_not_in_the_extract_has_none(extract):
    view = measures.ExtractView(extract)
    rows = view.crime_rows(pd.Series(["00000014/18", "no such crime", "CM/16/0000001"]))
    assert rows[1] == -1 and view.crimes["crime_id"].iloc[rows[0]] == "00000014/18"
    classes = view.crime_values(rows, "ho_class")
    assert classes[0] == "028/03" and pd.isna(classes[1]) and classes[2] == "058/01"
    assert view.crime_values(rows[[0, 2]], "outcome").tolist() == [15, 1]


def tables_of(extract, measure: dict, *tables: dict, **keys) -> list[measures.AnswerTable]:
    """Every table of a request counting `measure` (each table {name, rows, columns, ...})."""
    values = copy.deepcopy(BASE) | keys
    values["measures"] = {"m": {"label": "things", "period": PERIOD} | measure}
    values["tables"] = [{"question": 1, "title": "T"} | ({} if "review" in t else {"measure": "m"}) | t for t in tables]
    return answer_tables(validate_parameters(values), extract)


SNAPCHAT = {"snap": {"terms": ["snapchat"], "exclude_terms": ["snapchat filter"], "found_label": "Snapchat", "not_found_label": "No Snapchat"}}


def test_a_search_breakdown_splits_a_measures_crimes_by_what_the_search_counts(extract):
    (answer,) = tables_of(extract, OFFENCES, {"name": "t", "rows": "search", "search": "snap", "columns": "year"}, searches=SNAPCHAT)
    # ..01 (2016) and ..11 (2018) mention Snapchat; ..12 only negated, ..04 only in the filter
    assert answer.counts.to_dict(orient="index") == {
        "Snapchat": {"2016": 1, "2017": 0, "2018 (to 5 Dec 2018)": 1, TOTAL: 2},
        "No Snapchat": {"2016": 1, "2017": 1, "2018 (to 5 Dec 2018)": 1, TOTAL: 3},
        TOTAL: {"2016": 2, "2017": 1, "2018 (to 5 Dec 2018)": 2, TOTAL: 5},
    }
    assert answer.counts.index.name == "Circumstances" and answer.additive
    assert answer.events.review is None and "no reviewer has read them yet" in answer.notes[-1]


def test_an_of_whom_row_counts_those_of_the_total_the_search_counts_under_the_requests_labels(extract):
    charged = {"count": "people_charged", "charge_codes": ["damage", "damage_other"]}
    (answer,) = tables_of(extract, charged, {
        "name": "t", "rows": "charge_group", "corner": "Offence", "heading": "People charged 2016-18",
        "total_label": "Either", "of_whom": {"search": "snap", "label": "of whom on a crime mentioning Snapchat"},
    }, searches={"snap": {"terms": ["messages"]}})
    # S charged on ..01 and ..11, F on ..14: only ..14's circumstances mention messages
    assert answer.counts.index.name == "Offence" and list(answer.counts.columns) == ["People charged 2016-18"]
    assert column(answer) == {"Damage": 2, "Other damage": 1, "Either": 2, "of whom on a crime mentioning Snapchat": 1}
    assert answer.units[("of whom on a crime mentioning Snapchat", "People charged 2016-18")] <= answer.units[("Either", "People charged 2016-18")]
    cell = lambda row: ("t", row, "People charged 2016-18")  # noqa: E731
    assert answer.links == [
        Link.union(cell("Either"), [cell("Damage"), cell("Other damage")]),
        Link.subset(cell("of whom on a crime mentioning Snapchat"), cell("Either")),
    ]
    assert answer.table().subset_rows == ("of whom on a crime mentioning Snapchat",)
    assert answer.facts.total_label == "Either" and answer.facts.of_whom == "of whom on a crime mentioning Snapchat"
    # a note starts as a sentence does, not with the row's label in lower case
    assert any(note.startswith("The row \u201cof whom on a crime mentioning Snapchat\u201d counts those of \u201cEither\u201d") for note in answer.notes)


def test_a_total_under_its_own_label_of_crimes_is_the_sum_of_its_rows_and_empty_rows_may_be_hidden(extract):
    (answer,) = tables_of(extract, OFFENCES, {"name": "t", "rows": "outcome_group", "total_label": "All", "hide_empty_rows": True})
    # outcomes 1 (..01, ..11), 14 (..02), 18 (..04), none (..12): the other groups are empty
    assert column(answer) == {"Charged/summonsed": 2, "Evidential difficulties": 1,
                              "Investigation complete \u2013 no suspect identified": 1, "Not yet assigned an outcome": 1, "All": 5}
    assert [link.kind for link in answer.links] == ["sum"]
    shown = tables_of(extract, OFFENCES, {"name": "t", "rows": "outcome_group"})[0]
    assert len(shown.counts) == 9 and column(shown)["Taken into consideration"] == 0


def test_tables_of_one_measure_are_told_to_the_audit_as_one_figure_where_they_meet(extract):
    """A year of one table is the sum of its months in another (of people, their union), the
    wholes are one figure, a label both tables have is one figure in each; and only what the
    units bear out is told (a unit with no label of a breakdown is not in that table's whole)."""
    by_year, by_month, by_outcome = tables_of(
        extract, OFFENCES,
        {"name": "by_year", "rows": "year", "columns": "outcome_group"},
        {"name": "by_month", "rows": "month"},
        {"name": "by_outcome", "rows": "outcome_group"},
    )
    assert by_year.links == []
    kinds = [(link.kind, link.target, len(link.parts)) for link in by_month.links]
    assert ("equal", ("by_year", TOTAL, TOTAL), 1) in kinds
    assert ("sum", ("by_year", "2017", TOTAL), 12) in kinds
    assert ("sum", ("by_year", "2018 (to 5 Dec 2018)", TOTAL), 12) in kinds
    assert len(by_month.links) == 1 + 3
    outcome = {link.parts[0]: link.target for link in by_outcome.links if link.kind == "equal"}
    assert outcome[("by_outcome", "Charged/summonsed", "Offences")] == ("by_year", TOTAL, "Charged/summonsed")
    assert len(outcome) == 1 + 8 and len(by_outcome.links) == 2 + 8  # a whole to each earlier table
    assert all(link.kind == "equal" for link in by_outcome.links)
    charged = {"count": "people_charged", "charge_codes": ["damage", "damage_other"]}
    _, months = tables_of(extract, charged, {"name": "a", "rows": "year"}, {"name": "b", "rows": "quarter"})
    assert {link.kind for link in months.links} == {"equal", "union"}
    # every link holds, and the audit takes them (a false one would stop it: "do not satisfy")
    from helpers.disclosure.audit import audit
    answers = [by_year, by_month, by_outcome]
    status = {a.name: a.counts.map(lambda n: "primary" if 1 <= n <= 2 else "shown") for a in answers}
    report = audit([a.table() for a in answers], [link for a in answers for link in a.links], status, 3)
    assert not report.empty
    false = Link.equal(("by_month", "Jan 2016", "Offences"), ("by_year", "2016", TOTAL))
    with pytest.raises(ValueError, match="do not satisfy"):
        audit([a.table() for a in answers], [false], status, 3)
    assert not measures.holds(false, {**by_year.cell_units(), **by_month.cell_units()})


def test_a_table_of_a_searchs_review_counts_what_it_searched_found_and_a_reviewer_decided(extract, tmp_path, monkeypatch):
    from helpers.analysis import evidence, review
    from helpers.analysis.review_store import store_for

    monkeypatch.setenv("FOI_LOG_DIR", str(tmp_path / "log"))
    keys = {"searches": SNAPCHAT}
    first = {"name": "t", "rows": "search", "search": "snap"}
    _, answer = tables_of(extract, OFFENCES, first, {"name": "r", "review": "snap"}, **keys)
    rows = ["Crimes whose circumstances were searched", "Crimes with a mention of the terms (to review)",
            "Reviewed by hand", "Where the reviewer changed the search's call"]
    # the five damage crimes of the period; ..01 and ..11 mention Snapchat, ..12 only negated
    # (a candidate too), ..04 only inside the excluded "snapchat filter" (not one)
    assert column(answer) == dict(zip(rows, [5, 3, 0, 0], strict=True))
    assert answer.counts.index.name == "Free-text search" and list(answer.counts.columns) == ["Crimes"]
    assert answer.units[(rows[1], "Crimes")] == {"crime:CM/16/0000001", "crime:00000011/18", "crime:00000012/18"}
    assert [link.kind for link in answer.links] == ["subset"] * 3 and answer.facts.count == "review"
    # a reviewer says no to ..11 and yes to the negated ..12: two decided, two changed
    params = validate_parameters(copy.deepcopy(BASE) | keys | {"measures": {"m": {"label": "things", "period": PERIOD} | OFFENCES},
                                 "tables": [{"question": 1, "title": "T", "measure": "m"} | first]})
    worklist = answer.reviews[0].candidates
    review.record_decisions(store_for(params), {"00000011/18": "no", "00000012/18": "yes"}, "AB", worklist,
                            extract.circumstances(worklist["reference"].tolist()), question=review.review_target(params, "snap").question)
    split, answer = tables_of(extract, OFFENCES, first, {"name": "r", "review": "snap"}, **keys)
    assert column(answer) == dict(zip(rows, [5, 3, 2, 2], strict=True))
    assert column(split, "Offences")["Snapchat"] == 2  # ..01 and ..12
    # a text over the word limit is searched in part, and the table says how many
    monkeypatch.setattr(evidence, "WORD_LIMIT", 4)
    _, answer = tables_of(extract, OFFENCES, first, {"name": "r", "review": "snap"}, **keys)
    in_part = "Circumstances searched only in part (over 4 words)"
    # all but ..02 ("A window was smashed.": four words)
    assert list(answer.counts.index) == [*rows, in_part] and column(answer)[in_part] == 4
    assert answer.links[-1] == Link.subset(("r", in_part, "Crimes"), ("r", rows[0], "Crimes"))


def test_hidden_empty_rows_and_a_total_of_no_rows_run_beside_tables_of_the_same_measure(extract):
    """Found by a colleague trying the change: months hidden for want of a crime were still
    linked by their labels (a KeyError), and a Total under its own label with every row hidden
    asked for a sum of nothing."""
    snap = {**OFFENCES, "terms": ["snapchat"]}
    by_year, by_month = tables_of(extract, snap, {"name": "y", "rows": "year"}, {"name": "m", "rows": "month", "hide_empty_rows": True})
    assert list(by_month.counts.index) == ["Mar 2016", "Nov 2017", "Feb 2018", TOTAL]
    assert ("sum", ("y", "2016", "Offences")) not in {(link.kind, link.target) for link in by_month.links}  # one month
    assert {("m", "Mar 2016", "Offences"), ("y", "2016", "Offences")} in [set(link.cells) for link in by_month.links]
    (nothing,) = tables_of(extract, {**OFFENCES, "terms": ["xylophone"]}, {"name": "n", "rows": "year", "hide_empty_rows": True, "total_label": "All years"})
    assert column(nothing) == {"All years": 0} and nothing.links == []


def test_a_table_without_rows_heads_its_first_column_with_what_it_counts(extract):
    """A table by columns alone (or of one figure) had an empty first heading: a CSV column
    with no name, which the spreadsheet standard asks every column to have."""
    from helpers.request.steps import csv_frame

    by_year = table(extract, {**OFFENCES, "label": "offences of criminal damage"}, columns="year")
    assert by_year.counts.index.name == "Offences of criminal damage"
    assert list(csv_frame(by_year.counts).columns)[:2] == ["Offences of criminal damage", "2016"]
    alone = table(extract, {**OFFENCES, "label": "offences of criminal damage"})
    assert list(csv_frame(alone.counts).columns) == ["Offences of criminal damage", "Offences"]
    assert list(alone.counts.index) == [TOTAL]
    (cornered,) = tables_of(extract, OFFENCES, {"name": "t", "columns": "year", "corner": "All"})
    assert cornered.counts.index.name == "All"
    # a label no more than the column's heading: not the same heading twice
    bare = table(extract, {**OFFENCES, "label": "offences"})
    assert list(csv_frame(bare.counts).columns) == ["Count", "Offences"]


def test_a_heading_the_same_as_a_column_label_is_one_line_naming_the_key(extract):
    from helpers.errors import ParameterError

    with pytest.raises(ParameterError, match=r"^parameters: tables\.0\.corner: 'Offences' is the heading of a column too: give another$"):
        tables_of(extract, OFFENCES, {"name": "t", "rows": "year", "corner": "Offences"})
    with pytest.raises(ParameterError, match=r"^parameters: tables\.0\.corner: 'Other outcomes' is the heading of a column too"):
        tables_of(extract, OFFENCES, {"name": "t", "rows": "year", "columns": "outcome_group", "corner": "Other outcomes"})
    with pytest.raises(ParameterError, match=r"^parameters: tables\.0\.corner: 'offences' is the heading"):
        tables_of(extract, OFFENCES, {"name": "t", "rows": "year", "corner": "offences"})
    with pytest.raises(ParameterError, match=r"^parameters: tables\.0: two of its rows are labelled 'Other outcomes'"):
        tables_of(extract, OFFENCES, {"name": "t", "rows": "outcome_group", "total_label": "Other outcomes"})


def test_a_code_or_class_the_extracts_do_not_hold_is_a_warning_not_a_silent_none(extract, tmp_path):
    """Found by a new user: a mistyped charge code passed check and the run, counting none."""
    import json
    import logging

    from helpers.request import steps
    from helpers.run.request import read_results, report_data_warnings
    from helpers.run.staging import Staging

    values = copy.deepcopy(BASE)
    values["charge_groups"]["typo"] = {"label": "Typo", "codes": ["CD71009"]}
    values["measures"] = {
        "charged": {"count": "people_charged", "label": "people", "charge_codes": ["damage", "typo", "CD 7100X"], "period": PERIOD},
        "odd": {"count": "offences", "label": "offences", "classes": ["damage", "099/99"], "period": PERIOD},
        "unused": {"count": "offences", "label": "offences", "classes": ["098/99"], "period": PERIOD},
    }
    values["tables"] = [{"name": "a", "question": 1, "title": "A", "measure": "charged"},
                        {"name": "b", "question": 1, "title": "B", "measure": "odd"}]
    params = validate_parameters(values)
    assert steps.data_warnings(params, extract, ["charged", "odd"]) == [
        "measures.charged.charge_codes: no charge in the extracts has the code CD71009 (of charge group typo): it counts none",
        "measures.charged.charge_codes: no charge in the extracts has the code CD7100X: it counts none",
        "measures.odd.classes: no crime in the extracts is classified now as 099/99: it counts none",
    ]
    exact = steps.results(params, extract, answer_tables(params, extract))
    assert exact["warnings"] == steps.data_warnings(params, extract, ["charged", "odd"])
    # the run tells them as the request's own warnings
    (tmp_path / "restricted").mkdir()
    (tmp_path / "restricted" / "results.json").write_text(json.dumps(exact), encoding="utf-8")
    told: list[str] = []
    staging = Staging(tmp_path, tmp_path, logging.getLogger("t"))
    report_data_warnings(staging, read_results(staging), told)
    assert told == exact["warnings"]
    values["measures"]["charged"]["charge_codes"] = ["damage"]
    values["measures"]["odd"]["classes"] = ["damage"]
    fine = validate_parameters(values)
    assert "warnings" not in steps.results(fine, extract, answer_tables(fine, extract))


def test_records_set_aside_and_committed_dates_unread_are_the_runs_warnings(tmp_path):
    """Found by a new force's analyst: a status the profile did not list set two robberies aside,
    and a committed-date format it lacked left 5,962 of 6,000 crimes without a committed date
    (326 of 327 suspects "Age not known"); the run said nothing of either, only results.json and
    quarantine.csv held them."""
    from helpers.request import steps

    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", "10/03/2016 09:00", **{"DATE COMMITTED": "01-Mar-2016", "HO CLASS": "058/01"}),
            cms_crime("CM/16/0000002", "11/03/2016 09:00", **{"DATE COMMITTED": "02/03/2016", "HO CLASS": "058/01"}),
            cms_crime("CM/16/0000003", "12/03/2016 09:00", **{"HO CLASS": "058/01", "CRIME STATUS": "CRIMED - REOPENED"}),
            cms_crime("CM/16/0000004", "13/03/2016 09:00", **{"HO CLASS": "058/01", "CRIME STATUS": "CRIMED - REOPENED"}),
            cms_crime("CM/16/0000005", "14/03/2016 09:00", **{"HO CLASS": "058/01", "HO OUTCOME": "99"}),
        ],
        CMS_NOMINALS=[
            # two records of one person: one date read, the other not (the one read is used)
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "1", "INVOLVEMENT": "VICTIM", "DOB": "1-Mar-2004", "PNC ID": "2011/0794853M"},
            {"CRIME NO": "CM/16/0000001", "NOMINAL NO": "2", "INVOLVEMENT": "VICTIM", "DOB": "01/03/2004", "PNC ID": "2011/0794853M"},
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "3", "INVOLVEMENT": "VICTIM", "DOB": "2000-01-01"},
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "4", "INVOLVEMENT": "VICTIM", "DOB": "01/13/2000"},
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "5", "INVOLVEMENT": "VICTIM", "DOB": ""},
        ],
    )
    extract = load_extracts(folder, personal_data=True)
    values = copy.deepcopy(BASE)
    values["measures"] = {
        "m": {"count": "offences", "label": "offences", "classes": ["damage"], "period": PERIOD},
        "v": {"count": "victims", "label": "victims", "classes": ["damage"], "period": PERIOD},
    }
    values["tables"] = [{"name": "t", "question": 1, "title": "T", "measure": "m"}]
    params = validate_parameters(values)
    ages = table(extract, {"count": "victims", "classes": ["damage"]}, rows="victim_age")
    # the person of two records is 11 on a crime of a committed date read, and of no known age on
    # the crime of none: in both rows, once in the Total
    assert column(ages) == {"Under 13": 1, "13 to 15": 0, "16 and 17": 0, "18 and over": 0, "Age not known": 4, "Total": 4}
    assert ages.unread_births == 2
    assert steps.results(params, extract, answer_tables(params, extract))["warnings"] == [
        "CMS_CRIMES.csv, column CRIME STATUS: 2 records set aside (unknown crime status): the "
        "figures leave them out; restricted/quarantine.csv lists them",
        "CMS_CRIMES.csv, column HO OUTCOME: 1 record set aside (not a Home Office outcome type "
        "(1-22)): the figures leave it out; restricted/quarantine.csv lists it",
        "1 committed date could not be read with the force profile's date formats "
        "(datetime_formats, then date_format): its crime has no committed date (an age table "
        "counts its people as \u201cAge not known\u201d; a measure by committed date leaves it out)",
    ]
    values["tables"].append({"name": "by_age", "question": 1, "title": "T", "measure": "v", "rows": "victim_age"})
    params = validate_parameters(values)
    exact = steps.results(params, extract, answer_tables(params, extract))
    assert exact["warnings"][-1] == (
        "tables.by_age: 2 people in it have dates of birth that the force profile's date formats "
        "(date_format, then datetime_formats) do not read: the table counts them as \u201cAge not known\u201d"
    )
    assert exact["tables"]["by_age"]["people_with_unread_date_of_birth"] == 2
    assert "people_with_unread_date_of_birth" not in exact["tables"]["t"]


def test_a_charge_on_a_crime_since_cancelled_counts_as_the_measures_status_says(tmp_path):
    """Found by a new force's analyst: its system keeps the charges of a crime later cancelled
    (the sample's never does), and `status` was refused on a charge measure ("counts charges,
    not crimes"), so 7 such charges were counted with no word and no way to leave them out.
    `status` is now the charged crime's: a charge laid is counted whatever became of its crime
    unless the measure says `status: live` (as the first request counts people charged), and a
    measure that does not say is told how many of its charges are on crimes since cancelled,
    those its search counts (a reviewer's find: they were counted before the search)."""
    from helpers.request import steps

    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", "10/03/2016 09:00", **{"HO CLASS": "058/01", "HO OUTCOME": "1", "CIRCUMSTANCES": "A dog barked."}),
            cms_crime("CM/16/0000002", "11/03/2016 09:00", **{"HO CLASS": "058/01", "CRIME STATUS": "NO CRIME", "CIRCUMSTANCES": "A door."}),
            cms_crime("CM/16/0000003", "12/03/2016 09:00", **{"HO CLASS": "058/01", "CRIME STATUS": "NO CRIME", "CIRCUMSTANCES": "A dog bit."}),
        ],
        CMS_NOMINALS=[{"CRIME NO": f"CM/16/000000{n}", "NOMINAL NO": str(n)} for n in (1, 2, 3)],
        CMS_CHARGES=[
            {"CRIME NO": "CM/16/0000001", "NOMINAL NO": "1", "CHARGE DATE": "01/06/2016", "CJS CODE": "CD71001"},
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "2", "CHARGE DATE": "01/06/2016", "CJS CODE": "CD71001"},
            {"CRIME NO": "CM/16/0000002", "NOMINAL NO": "2", "CHARGE DATE": "02/06/2016", "CJS CODE": "CD71002"},
            {"CRIME NO": "CM/16/0000003", "NOMINAL NO": "3", "CHARGE DATE": "02/06/2016", "CJS CODE": "CD71002"},
        ],
    )
    extract = load_extracts(folder)

    def counted(count: str, **keys) -> measures.AnswerTable:
        values = copy.deepcopy(BASE)
        values["measures"] = {"m": {"count": count, "label": "charges", "charge_codes": ["any"], "period": PERIOD} | keys}
        values["tables"] = [{"name": "t", "question": 1, "title": "T", "measure": "m"}]
        params = validate_parameters(values)
        (answer,) = answer_tables(params, extract)
        answer.exact_results = steps.results(params, extract, [answer])
        return answer

    told = counted("charges")
    assert column(told) == {"Total": 4}
    assert told.exact_results["warnings"] == [
        "measures.m: 3 charges it counts are on crimes since cancelled: counted, as charges laid "
        "(status: live leaves them out; status: all counts them and says so)"
    ]
    assert told.exact_results["tables"]["t"]["charges_on_cancelled_crimes"] == 3
    assert not any("cancelled" in note for note in told.notes)  # as the first request's people charged
    assert column(counted("charges", status="live")) == {"Total": 1}
    assert column(counted("charges", status="cancelled")) == {"Total": 3}
    assert column(counted("people_charged")) == {"Total": 3}
    assert column(counted("people_charged", status="live")) == {"Total": 1}
    for status in ("all", "live", "cancelled"):
        assert "warnings" not in counted("charges", status=status).exact_results
    assert "Only charges on crimes since cancelled are counted." in counted("charges", status="cancelled").notes
    assert "Charges on crimes since cancelled are counted too." in counted("charges", status="all").notes
    assert "Charges on crimes since cancelled are not counted." in counted("charges", status="live").notes
    # with a search: its charges only (one of the two crimes since cancelled mentions a dog)
    searched = counted("charges", terms=["dog"])
    assert column(searched) == {"Total": 2}
    assert searched.exact_results["tables"]["t"]["charges_on_cancelled_crimes"] == 1
    assert column(counted("charges", terms=["dog"], status="live")) == {"Total": 1}


def test_a_charge_table_by_class_shows_every_class_of_its_measure_zeros_too(extract):
    """Found by a new force's analyst: a table of charges by offence_class left out the measure's
    classes with no charge (4 rows of 11), while a table of offences showed them all and the docs
    say a table by class shows the measure's classes, zeros too."""
    charges = table(extract, {"count": "charges", "classes": ["058/01", "028/03", "029/00"]}, rows="offence_class")
    assert list(column(charges)) == [class_label("058/01"), class_label("028/03"), class_label("029/00"), "Total"]
    assert column(charges)[class_label("029/00")] == 0
    # with codes and no classes: the classes charged on, as before
    by_code = table(extract, {"count": "charges", "charge_codes": ["any"]}, rows="offence_class")
    assert list(column(by_code)) == [class_label("028/03"), class_label("058/01"), "Total"]


def test_each_charge_row_is_a_charge_unless_the_system_numbers_them_and_a_number_repeats(tmp_path):
    """Found twice: an independent count of an extract in the data contract's form (one row per
    charge) counted two identical rows of a charges file as two charges, two counts of one
    offence on one day, where the tool counted one, taking the second for a repeat of the export;
    and a new force's analyst had no way to name the charge's own number. Each row is now a
    charge; a copy in the other system's file matches count by count; and a system that numbers
    its charges (`charge_ref`) tells a row exported twice (the same number) from a second count."""
    import csv
    import io

    import yaml

    from helpers.extracts.profile import read_profile
    from helpers.project import project_root

    cms_copy, connect_copy = migrated("CM/17/0000009", "00000019/18", "2017-11-30T10:00:00")
    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms_crime("CM/17/0000001", "10/03/2017 09:00", **{"HO OUTCOME": "1"}), cms_copy],
        connect_crimes=[connect_copy, connect_crime("00000020/18", "2017-12-20T10:00:00")],
        CMS_NOMINALS=[{"CRIME NO": "CM/17/0000001", "NOMINAL NO": "1"}, {"CRIME NO": "CM/17/0000009", "NOMINAL NO": "2"}],
        connect_persons=[
            {"Crime Reference": "00000019/18", "Person ID": "PN2", "Legacy Nominal No": "2"},
            {"Crime Reference": "00000020/18", "Person ID": "PN3"},
        ],
        # the copies of the migrated crime's two counts (Connect numbers none), and a Connect
        # crime's two counts of one offence on one day
        connect_charges=[{"Crime Reference": "00000019/18", "Person ID": "PN2", "Charge Date": "2017-11-30"}] * 2
        + [{"Crime Reference": "00000020/18", "Person ID": "PN3", "Charge Date": "2017-12-21"}] * 2,
    )
    header = ["CRIME NO", "NOMINAL NO", "CHARGE DATE", "CJS CODE", "CHARGE NO"]
    rows = [
        ["CM/17/0000001", "1", "01/06/2017", "SX03225", "1"],
        ["CM/17/0000001", "1", "01/06/2017", "SX03225", "2"],
        ["CM/17/0000001", "1", "01/06/2017", "SX03225", "2"],  # numbered: the second count, exported twice
        ["CM/17/0000009", "2", "30/11/2017", "SX03225", "1"],
        ["CM/17/0000009", "2", "30/11/2017", "SX03225", "2"],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([header, *rows])
    (folder / "CMS_CHARGES.csv").write_bytes(text.getvalue().encode("cp1252"))
    values = yaml.safe_load((project_root() / "profiles" / "cms-connect.yaml").read_text(encoding="utf-8"))
    profile = tmp_path / "force.yaml"

    def charges(numbered: bool) -> tuple[dict[str, int], dict]:
        columns = values["systems"][0]["files"]["charges"]["columns"]
        if numbered:
            columns["charge_ref"] = "CHARGE NO"
        else:
            columns.pop("charge_ref", None)
        profile.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
        extract = load_extracts(folder, read_profile(profile).sources())
        period = {"from": "2017-01-01", "to": "2017-12-31"}
        answer = table(extract, {"count": "charges", "charge_codes": ["SX03225"], "period": period}, rows="month")
        people = table(extract, {"count": "people_charged", "charge_codes": ["SX03225"], "period": period})
        assert column(people) == {"Total": 3}
        counts = {k: v for k, v in column(answer).items() if v}
        return counts, extract.data_quality

    counts, quality = charges(numbered=True)
    assert counts == {"Jun 2017": 2, "Nov 2017": 2, "Dec 2017": 2, "Total": 6}
    # a first count's unit is what it was before counts were told apart (the disclosure log
    # across releases compares units); a second count's is marked
    extract = load_extracts(folder, read_profile(profile).sources())
    answer = table(extract, {"count": "charges", "charge_codes": ["SX03225"], "period": {"from": "2017-06-01", "to": "2017-06-30"}})
    (units,) = [sorted(u) for (row, _), u in answer.units.items() if row == "Total"]
    assert len(units) == 2 and units[1] == units[0] + "#2" and units[0].endswith("|SX03225|2017-06-01")
    assert (quality["charges_repeated_within_a_file"], quality["charges_copied_across_systems"]) == (1, 2)
    # without the number, each row is a charge: the row exported twice is a third count
    counts, quality = charges(numbered=False)
    assert counts == {"Jun 2017": 3, "Nov 2017": 2, "Dec 2017": 2, "Total": 7}
    assert (quality["charges_repeated_within_a_file"], quality["charges_copied_across_systems"]) == (0, 2)


def test_crimes_recorded_after_the_day_the_extracts_were_taken_are_a_warning(extract):
    """Found by an independent count: the examples (extracts_taken_on 2019-01-01) run on extracts
    holding crimes recorded to 15 February 2019 said nothing, and counted "the last three years"
    back from a day the extracts were not taken on."""
    from helpers.request import steps

    values = copy.deepcopy(BASE)
    values["measures"] = {"m": {"count": "offences", "label": "offences", "classes": ["damage"], "period": PERIOD}}
    values["tables"] = [{"name": "t", "question": 1, "title": "T", "measure": "m"}]
    values["extracts_taken_on"] = "2018-12-10"  # the fixture's last crime: 10 December 2018
    params = validate_parameters(values)
    assert "warnings" not in steps.results(params, extract, answer_tables(params, extract))
    values["extracts_taken_on"] = "2018-12-09"
    params = validate_parameters(values)
    assert steps.results(params, extract, answer_tables(params, extract))["warnings"] == [
        "extracts_taken_on: the extracts hold crimes recorded after 9 December 2018, the last on "
        "10 December 2018: is it the day they were taken? (a period counted back, and the "
        "briefing's date of the extracts, go by it)"
    ]


def test_a_damaged_file_of_many_reasons_is_ten_lines_of_warnings_and_one_more(tmp_path):
    """A reviewer's find: 3,000 malformed rows of as many field counts gave 2,999 warning lines
    (each field count a reason of its own)."""
    from helpers.request import steps

    folder = write_extract(tmp_path / "extracts", CMS_CRIMES=[cms_crime("CM/16/0000001", "10/03/2016 09:00")])
    crimes = folder / "connect_crimes.csv"
    text = crimes.read_text(encoding="utf-8-sig")
    crimes.write_text(text + "".join("x," * n + "x\n" for n in range(1, 31)), encoding="utf-8")
    extract = load_extracts(folder)
    warned = steps.extract_warnings(extract)
    assert len(warned) == steps.SET_ASIDE_SAID + 1
    assert warned[-1] == (
        "and 20 more records set aside, for 20 other reasons or columns: the figures leave them "
        "out; restricted/quarantine.csv lists them"
    )


def test_a_class_groups_classes_no_crime_has_are_one_warning_and_a_search_that_finds_nothing_is_one(extract):
    """Found by a new user: a group of eleven burglary classes, ten of them of no crime in the
    extracts, gave ten warnings; a search whose terms no text mentions (a mistyped term) said
    nothing."""
    from helpers.request import steps

    values = copy.deepcopy(BASE)
    values["class_groups"] |= {
        "burglary": {"label": "burglary", "classes": ["058/01", "028/00", "28/1", "029/00"]},
        "robbery": {"label": "robbery", "classes": ["034/01", "034/02"]},
        # pasted from `classes --group`: a force records few of a group's classes, and says nothing
        "whole": {"label": "criminal damage", "classes": [row["code"] for row in ho_classes.find_classes(group="Criminal damage")]},
        "most": {"label": "violence", "classes": ["058/01", *[f"{n:03d}/00" for n in range(900, 915)]]},
    }
    values["class_groups"]["burg\x1b[2J\u202e"] = {"label": "b", "classes": ["028/00"]}
    values["searches"] = {"typo": {"terms": ["snapchta zzq"]}}
    values["measures"] = {
        "b": {"count": "offences", "label": "offences", "classes": ["burglary", "robbery", "damage", "burg\x1b[2J\u202e", "whole", "most"], "period": PERIOD},
        "m": {"count": "mentions", "label": "crimes", "search": "typo", "period": PERIOD},
        "own": {"count": "mentions", "label": "crimes", "terms": ["qqzzxx"], "classes": ["damage"], "period": PERIOD},
    }
    values["tables"] = [{"name": t, "question": 1, "title": t, "measure": t} for t in ("b", "m", "own")]
    params = validate_parameters(values)
    answers = answer_tables(params, extract)
    searched = {done.search: len(done.searched) for a in answers for done in a.reviews}
    assert searched["typo"] > 0 and searched["own"] > 0
    assert steps.results(params, extract, answers)["warnings"] == [
        "measures.b.classes: no crime in the extracts is classified now as 028/00, 028/01 or 029/00 "
        "(3 of the 4 classes of class group burglary): they count none",
        "measures.b.classes: no crime in the extracts is classified now as 034/01 or 034/02 (every "
        "class of class group robbery): they count none",
        # a group's name as typed, escaped: a terminal reads the run's warnings
        "measures.b.classes: no crime in the extracts is classified now as 028/00 (every class of "
        "class group 'burg\\x1b[2J\\u202e'): it counts none",
        # many classes: the first ten named, not a line of hundreds
        "measures.b.classes: no crime in the extracts is classified now as 900/00, 901/00, 902/00, "
        "903/00, 904/00, 905/00, 906/00, 907/00, 908/00, 909/00 or 5 more (15 of the 16 classes of "
        "class group most): they count none",
        f"searches.typo.terms: of the {searched['typo']:,} crimes searched, none has circumstances "
        "that mention the terms: it counts none",
        f"measures.own.terms: of the {searched['own']:,} crimes searched, none has circumstances "
        "that mention the terms: it counts none",
    ]
    # the briefing's note names the classes the warnings name (a reviewer's find: a whole group
    # mixed with another class was judged whole in one and not the other)
    (note,) = [note for note in answers[0].notes if note.startswith("No crime in our records")]
    assert note.startswith(
        "No crime in our records, of any year, is classified as 028/00, 028/01, 029/00, 034/01, 034/02, "
        "900/00, 901/00, 902/00, 903/00, 904/00 or 10 more classes:"
    ), note
    assert "058/" not in note and answers[0].facts.caveat is None


def list_titled_profile(folder) -> str:
    """The shipped profile without its class titles: the briefing titles every class as the
    shipped list does."""
    import yaml

    from helpers.project import project_root

    values = yaml.safe_load((project_root() / "profiles" / "cms-connect.yaml").read_text())
    values.pop("class_titles")
    path = folder / "list-titled.yaml"
    path.write_text(yaml.safe_dump(values))
    return str(path)


def test_a_class_the_extracts_title_otherwise_than_the_shipped_list_is_a_warning(tmp_path):
    """The briefing titles a class from the Home Office list shipped with the project; where the
    force's own systems title the same code otherwise (`ho_class_title` in the profile), the code
    may mean another offence to the force: the run says so, with both titles."""
    from helpers.request import steps

    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", **{"HO CLASS": "058/03", "OFFENCE DESCRIPTION": "CRIMINAL DAMAGE TO A VEHICLE"}),
            cms_crime("CM/16/0000002", **{"HO CLASS": "088/01", "OFFENCE DESCRIPTION": "MEETING A FEMALE CHILD FOLLOWING SEXUAL GROOMING ETC"}),
            cms_crime("CM/16/0000003", **{"HO CLASS": "028/03", "OFFENCE DESCRIPTION": "BURGLARY\u001b[2J - RESIDENTIAL"}),
            # a class the shipped list does not have: the briefing shows its code alone
            cms_crime("CM/16/0000004", **{"HO CLASS": "998/98", "OFFENCE DESCRIPTION": "A LOCAL CLASS"}),
        ],
        connect_crimes=[connect_crime("00000001/18", **{"HO Class": "58/3", "HO Class Description": "Criminal damage to a vehicle"})],
    )
    extract = load_extracts(folder)
    assert extract.class_titles["058/03"] == {"CRIMINAL DAMAGE TO A VEHICLE": 1, "Criminal damage to a vehicle": 1}
    values = copy.deepcopy(BASE) | {"profile": list_titled_profile(tmp_path)}
    values["measures"] = {
        "d": {"count": "offences", "label": "offences", "classes": ["58/3", "088/01"], "period": {"from": "2016-01-01", "to": "2018-12-31"}},
        "c": {"count": "offences", "label": "offences", "period": {"from": "2016-01-01", "to": "2018-12-31"}},
    }
    values["tables"] = [{"name": "d", "question": 1, "title": "D", "measure": "d"}]
    params = validate_parameters(values)
    vehicle = (
        "class 058/03: the extracts title it \u201cCriminal damage to a vehicle\u201d, the briefing "
        "\u201cRacially or religiously aggravated other criminal damage\u201d (the Home Office list "
        "shipped with foi-briefing): check the class code before publishing, then give the "
        "force\u2019s title in the force profile\u2019s class_titles, or its system\u2019s title "
        "under class_titles_checked if the code means the list\u2019s offence "
        "(docs/force-profiles.md)"
    )
    assert steps.results(params, extract, answer_tables(params, extract))["warnings"] == [vehicle]
    # a table by class: the classes it shows; a title with a terminal's control code is escaped
    values["tables"] = [{"name": "c", "question": 1, "title": "C", "measure": "c", "rows": "offence_class"}]
    params = validate_parameters(values)
    found = steps.results(params, extract, answer_tables(params, extract))["warnings"]
    assert vehicle in found and len(found) == 2  # in the table's order: 028/03 first; not 998/98
    assert found[0].startswith("class 028/03: the extracts title it 'BURGLARY\\x1b[2J - RESIDENTIAL', the briefing")
    assert "\x1b" not in found[0]
    # a title the force has checked (its profile's class_titles_checked, any system's, any case)
    # is not warned of; another of the same class still is
    checked = {"058/03": ("criminal damage to a vehicle",)}
    sources = tuple(replace(source, class_titles_checked=checked) for source in extract.sources)
    quiet = steps.results(params, replace(extract, sources=sources), answer_tables(params, extract))["warnings"]
    assert [line.split(":")[0] for line in quiet] == ["class 028/03"]
    extract.class_titles["058/03"]["Criminal damage (other)"] = 1
    louder = steps.results(params, replace(extract, sources=sources), answer_tables(params, extract))["warnings"]
    assert any(line.startswith("class 058/03: the extracts title it \u201cCriminal damage (other)\u201d") for line in louder)


def test_a_class_the_force_titles_itself_is_titled_so_in_tables_method_and_warnings(tmp_path):
    """Found by a new user: the force's systems title 058/03 "Criminal damage to a vehicle", the
    shipped list "Racially or religiously aggravated other criminal damage", and the released
    table printed the list's title for the force's crimes; the warning offered no way to fix it.
    A profile's `class_titles` gives a class the force's own title, everywhere the briefing
    titles it, and the method says which classes are titled so."""
    import yaml

    from helpers.briefing.answers import measure_rule, own_title_rule
    from helpers.errors import ProfileError
    from helpers.extracts.profile import read_profile
    from helpers.project import project_root
    from helpers.request import steps

    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", **{"HO CLASS": "058/03", "OFFENCE DESCRIPTION": "CRIMINAL DAMAGE TO A VEHICLE"}),
            cms_crime("CM/16/0000003", **{"HO CLASS": "028/03", "OFFENCE DESCRIPTION": "BURGLARY - RESIDENTIAL"}),
        ],
        connect_crimes=[connect_crime("00000001/18", **{"HO Class": "58/3", "HO Class Description": "Criminal damage to a vehicle"})],
    )
    extract = load_extracts(folder)
    profile = yaml.safe_load((project_root() / "profiles" / "cms-connect.yaml").read_text())
    own = tmp_path / "force.yaml"
    own.write_text(yaml.safe_dump({**profile, "class_titles": {"58/3": "Criminal damage to a vehicle"}}))
    assert read_profile(own).class_titles == {"058/03": "Criminal damage to a vehicle"}
    values = copy.deepcopy(BASE) | {"profile": str(own)}
    values["measures"] = {
        "d": {"count": "offences", "label": "offences", "classes": ["58/3"], "period": PERIOD},
        "c": {"count": "offences", "label": "offences", "period": PERIOD},
    }
    values["tables"] = [
        {"name": "d", "question": 1, "title": "D", "measure": "d"},
        {"name": "c", "question": 1, "title": "C", "measure": "c", "rows": "offence_class"},
    ]
    params = validate_parameters(values)
    d, c = answer_tables(params, extract)
    assert "058/03 Criminal damage to a vehicle" in list(c.counts.index)
    assert measure_rule(params, "d", d.facts).startswith(
        "Crimes recorded under Home Office classification 058/03 (criminal damage to a vehicle),"
    )
    assert own_title_rule(params, [(d.facts, d.counts), (c.facts, c.counts)]) == (
        "A class is titled as the Home Office\u2019s list of offence classes titles it, except where "
        "the force records a class under a title of its own: 058/03 (\u201cCriminal damage to a "
        "vehicle\u201d)."
    )
    # the force's title agrees with its systems': no warning; 028/03 is still the list's, and
    # the warning says how to settle it
    (burglary,) = steps.results(params, extract, [d, c])["warnings"]
    assert burglary.startswith("class 028/03: the extracts title it") and burglary.endswith(
        "check the class code before publishing, then give the force\u2019s title in the force "
        "profile\u2019s class_titles, or its system\u2019s title under class_titles_checked if "
        "the code means the list\u2019s offence (docs/force-profiles.md)"
    )
    # a force's title as it gives it: its brackets kept, an initialism not made small
    own.write_text(yaml.safe_dump({**profile, "class_titles": {"058/03": "Criminal damage (vehicle)", "028/03": "ABH"}}))
    titled = validate_parameters(values)
    assert measure_rule(titled, "d", answer_tables(titled, extract)[0].facts).startswith(
        "Crimes recorded under Home Office classification 058/03 (criminal damage (vehicle)),"
    )
    assert measure_rule(validate_parameters(copy.deepcopy(values) | {"measures": {**values["measures"], "d": {**values["measures"]["d"], "classes": ["028/03"]}}}), "d", d.facts).startswith(
        "Crimes recorded under Home Office classification 028/03 (ABH),"
    )
    # without it, the list's title, as before
    plain = validate_parameters(copy.deepcopy(values) | {"profile": list_titled_profile(tmp_path)})
    assert own_title_rule(plain, [(t.facts, t.counts) for t in answer_tables(plain, extract)]) is None
    for bad, said in [({"58/33x": "X"}, r"class_titles\.58/33x"), ({"058/03": "x" * 201}, r"class_titles\.058/03")]:
        own.write_text(yaml.safe_dump({**profile, "class_titles": bad}))
        with pytest.raises(ProfileError, match=said):
            read_profile(own)


def test_an_of_whom_row_is_told_to_the_audit_as_the_searchs_found_row_of_another_table(extract):
    """Found by a reviewer of the change: a table split by a search and another with an of_whom
    row of it count the same crimes, and the audit was not told (the check of each figure's
    crimes caught it; the audit should know it too)."""
    snap = {"snap": {"terms": ["snapchat"]}}
    _, by_year = tables_of(extract, OFFENCES, {"name": "s", "rows": "search", "search": "snap"},
                           {"name": "y", "rows": "year", "of_whom": {"search": "snap", "label": "of which mention Snapchat"}},
                           searches=snap)
    assert {("y", "of which mention Snapchat", "Offences"), ("s", "Mentions the terms", "Offences")} in [set(link.cells) for link in by_year.links]


def test_a_review_tables_corner_is_not_its_heading(extract):
    from helpers.errors import ParameterError

    snap = {"snap": {"terms": ["snapchat"]}}
    with pytest.raises(ParameterError, match=r"^parameters: tables\.1\.corner: 'Crimes' is the heading of a column too"):
        tables_of(extract, OFFENCES, {"name": "s", "rows": "search", "search": "snap"}, {"name": "r", "review": "snap", "corner": "Crimes"}, searches=snap)


def test_the_method_names_the_terms_a_search_looks_for(extract):
    """Found by a new user: the method said "mention a term" and never which."""
    (one,) = tables_of(extract, {**OFFENCES, "terms": ["snapchat"]}, {"name": "t", "rows": "year"})
    assert any(note.startswith("A crime is counted when its circumstances mention \u201csnapchat\u201d;") for note in one.notes)
    searches = {"pets": {"terms": ["dog", "cat", "parrot"]}}
    (split,) = tables_of(extract, OFFENCES, {"name": "t", "rows": "search", "search": "pets"}, searches=searches)
    assert any("mention any of \u201cdog\u201d, \u201ccat\u201d or \u201cparrot\u201d;" in note for note in split.notes)


def test_how_we_counted_says_one_code_and_any_of_the_terms_as_a_person_writes_them(extract):
    """Found by a new user: "under the offence codes CD71001" for one code."""
    from helpers.briefing.answers import measure_rule

    values = copy.deepcopy(BASE)
    values["measures"] = {
        "one": {"count": "people_charged", "label": "people", "charge_codes": ["CD71001"], "period": PERIOD, "terms": ["dog", "cat"]},
        "two": {"count": "charges", "label": "charges", "charge_codes": ["damage_other", "CD71001"], "period": PERIOD},
    }
    values["tables"] = [{"name": "a", "question": 1, "title": "A", "measure": "one"}, {"name": "b", "question": 1, "title": "B", "measure": "two"}]
    params = validate_parameters(values)
    one, two = answer_tables(params, extract)
    assert measure_rule(params, "one", one.facts).startswith(
        "People charged under the offence code CD71001, on a crime whose circumstances mention \u201cdog\u201d or \u201ccat\u201d,"
    )
    assert measure_rule(params, "two", two.facts).startswith("Charges laid under the offence codes CD71002 and CD71001,")
    # a charge count of classes and no codes: every charge on their crimes
    values["measures"]["two"] = {"count": "charges", "label": "charges", "classes": ["damage"], "period": PERIOD}
    params = validate_parameters(values)
    _, two = answer_tables(params, extract)
    assert measure_rule(params, "two", two.facts).startswith(
        "Charges laid for any offence, on a crime classified now as 058/01"
    )
    # found by a reader: "on a crime classified now as 058/01 ... and 058/03": it is one or the other
    values["measures"]["two"]["classes"] = ["058/01", "058/03"]
    params = validate_parameters(values)
    _, two = answer_tables(params, extract)
    rule = measure_rule(params, "two", two.facts)
    assert rule.startswith("Charges laid for any offence, on a crime classified now as 058/01 (") and ") or 058/03 (" in rule


def test_how_we_counted_says_a_measure_without_classes_counts_every_class(extract):
    from helpers.briefing.answers import measure_rule

    values = copy.deepcopy(BASE)
    values["measures"] = {
        "o": {"count": "offences", "label": "offences", "period": PERIOD},
        "s": {"count": "suspects", "label": "suspects", "period": PERIOD, "terms": ["snapchat"]},
        "v": {"count": "victims", "label": "victims", "period": PERIOD},
    }
    values["tables"] = [{"name": n, "question": 1, "title": n, "measure": n} for n in "osv"]
    params = validate_parameters(values)
    o, s, v = answer_tables(params, extract)
    assert measure_rule(params, "o", o.facts).startswith("Crimes of every Home Office class recorded, from 1 January 2016")
    assert measure_rule(params, "s", s.facts).startswith(
        "People recorded as a suspect of a crime of any Home Office class, whose circumstances mention \u201csnapchat\u201d, from"
    )
    assert measure_rule(params, "v", v.facts).startswith("People recorded as a victim of a crime of any Home Office class, from")


def test_a_second_table_of_a_measure_by_the_same_time_is_not_drawn_again_by_default(extract):
    """Found by a new user: a table by year and outcome drew the same bars as the table by year
    before it (a chart draws a table's totals over time)."""
    by_year, by_outcome, by_month, asked = tables_of(
        extract, OFFENCES,
        {"name": "y", "rows": "year"},
        {"name": "o", "rows": "outcome_group", "columns": "year"},
        {"name": "m", "rows": "month"},
        {"name": "a", "rows": "outcome_group", "columns": "year", "chart": True},
    )
    assert [t.facts.chart for t in (by_year, by_outcome, by_month, asked)] == [True, False, True, True]


def test_a_worklist_says_of_each_crime_which_measures_crimes_it_is_one_of():
    """Found moving today's request into the grammar: the worklist said "a crime of charged and
    offences" of every crime, whichever it was one of."""
    union = np.array([3, 5, 8, 9])
    why = measures.in_scope_as(union, {"charged": np.array([5, 8]), "offences": np.array([3, 8])}, ["offences"])
    assert why.tolist() == [
        "a crime of offences",
        "a crime of charged",
        "a crime of charged and offences",
        "a crime recorded in the days of offences",  # searched for scope: all_crimes (found by a reviewer: it named charged too, whose days are not read)
    ]


def people_numbered(column):
    """`ExtractView.individual_codes` of person rows whose individual_id column is `column`."""
    import pyarrow as pa

    view = measures.ExtractView(None)
    view.__dict__["people"] = pa.table({"individual_id": column})
    return view.individual_codes


@pytest.mark.parametrize("shared", [True, False])
def test_each_person_row_s_individual_is_numbered_as_its_text_would_be(shared):
    """Two rows have one number if and only if they name one individual, whether the column's
    pieces share a dictionary (as the cache stores them) or not; no individual: -1."""
    import pyarrow as pa

    dictionary = pa.array(["a", "b", "c", "d"])
    other = dictionary if shared else pa.array(["d", "c", "b", "a"])
    pieces = [
        pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 3], pa.int32()), dictionary),
        pa.DictionaryArray.from_arrays(pa.array([2, 2, 0], pa.int32()), other),
    ]
    column = pa.chunked_array(pieces)
    numbers = people_numbered(column).tolist()
    text = column.cast(pa.string()).to_pylist()
    assert [n == -1 for n in numbers] == [t is None for t in text]
    for i, j in itertools.product(range(len(text)), repeat=2):
        if text[i] is not None and text[j] is not None:
            assert (numbers[i] == numbers[j]) == (text[i] == text[j])
    plain = people_numbered(column.cast(pa.string())).tolist()  # read without the cache
    assert [n == -1 for n in plain] == [t is None for t in text] and len(set(plain) - {-1}) == len(set(text) - {None})


def test_a_review_table_says_which_crimes_its_search_read_by_their_bounds_not_its_own_label(extract):
    """Found by a new user: the note read "every crime counted among the crimes whose
    circumstances mention ..." (what the search decides, not what it read) and spoke of charges
    in a request with none. Excluded phrases are each left out: "or", not "and"."""
    keys = {"searches": SNAPCHAT}
    first = {"name": "t", "rows": "search", "search": "snap"}
    split, answer = tables_of(extract, OFFENCES, first, {"name": "r", "review": "snap"}, **keys)
    note = answer.notes[0]
    assert note.startswith(
        "The search read the circumstances of every crime of class 058/01 recorded from 1 January "
        "2016 to 5 December 2018 and not cancelled. A crime with a mention"
    ), note
    assert "charge" not in note
    two = {"terms": ["snapchat"], "exclude_terms": ["snapchat filter", "no snapchat"]}
    (table,) = tables_of(extract, OFFENCES | two, {"name": "t", "rows": "year"})
    assert "A mention inside \u201csnapchat filter\u201d or \u201cno snapchat\u201d is not counted." in table.notes


def test_a_review_table_leaves_out_the_crimes_of_a_measure_another_measure_of_the_search_holds(extract):
    """Found by a new user: "every crime of any class recorded ...; and of every crime of classes
    008/06, ... recorded ..." (the second inside the first). Crimes of a shorter period are
    inside those of a longer one of the same classes; a measure's own bounds stay when they are
    not inside another's."""
    values = copy.deepcopy(BASE)
    values["searches"] = SNAPCHAT
    values["measures"] = {
        "any": {"count": "offences", "label": "offences", "search": "snap", "period": PERIOD},
        "damage": {"count": "victims", "label": "victims", "classes": ["damage"], "search": "snap", "period": PERIOD},
        "short": {"count": "offences", "label": "offences", "classes": ["damage"], "search": "snap", "period": {"from": "2017-01-01", "to": "2017-12-31"}},
    }
    values["tables"] = [{"name": n, "question": 1, "title": n, "measure": n} for n in values["measures"]]
    values["tables"].append({"name": "r", "question": 1, "title": "R", "review": "snap"})
    review = answer_tables(validate_parameters(values), extract)[-1]
    assert review.notes[0].startswith(
        "The search read the circumstances of every crime of any class recorded from 1 January "
        "2016 to 5 December 2018 and not cancelled. A crime with a mention"
    ), review.notes[0]
    del values["measures"]["any"]
    values["tables"] = values["tables"][1:]
    review = answer_tables(validate_parameters(values), extract)[-1]
    assert review.notes[0].startswith(
        "The search read the circumstances of every crime of class 058/01 recorded from 1 January "
        "2016 to 5 December 2018 and not cancelled. A crime"
    ), review.notes[0]
    # a charge measure's crimes are told in their own words, beside the crimes'
    values["measures"]["charged"] = {"count": "charges", "label": "charges", "charge_codes": ["damage"], "search": "snap", "period": PERIOD}
    values["tables"].insert(0, {"name": "charged", "question": 1, "title": "C", "measure": "charged"})
    review = answer_tables(validate_parameters(values), extract)[-1]
    assert review.notes[0].startswith(
        "The search read the circumstances of every crime with a charge under \u201cDamage\u201d from 1 "
        "January 2016 to 5 December 2018; and of every crime of class 058/01 recorded from"
    ), review.notes[0]


def test_a_date_of_birth_after_the_offence_is_age_not_known():
    """Found by a reviewer: a date of birth keyed after the offence gave an age of -1, which no
    band holds (the run stopped), or "Under 13" with a first band open below."""
    born = pd.Series(pd.to_datetime(["2017-03-01", "2004-03-01", None]))
    on = pd.Series(pd.to_datetime(["2016-03-01", "2016-03-01", "2016-03-01"]))
    ages = measures.age_on(born, on)
    assert pd.isna(ages[0]) and ages[1] == 12 and pd.isna(ages[2])
    from helpers.request.grammar import AgeBand

    bands = [AgeBand(label="Under 13", to=12), AgeBand(label="13 and over", **{"from": 13})]
    assert [measures.age_band(age, bands) for age in ages] == ["Age not known", "Under 13", "Age not known"]


def test_a_review_note_names_a_charge_measures_codes_groups_and_classes(extract):
    """Found by a reviewer: a charge measure's classes were left out of what its search read,
    and two measures' bounds ran together with a bare "and"."""
    params = validate_parameters(copy.deepcopy(BASE) | {
        "measures": {
            "m": {"label": "things", "period": PERIOD, "count": "offences", "classes": ["damage"]},
            "c": {"label": "charges", "period": PERIOD, "count": "charges", "charge_codes": ["damage", "CD 71002", "XX1"], "classes": ["damage"]},
        },
        "tables": [{"name": "t", "question": 1, "title": "T", "measure": "m"}],
    })
    assert measures.searched_words(params, "c") == (
        "every crime with a charge under \u201cDamage\u201d or the offence codes CD 71002 or XX1 "
        "from 1 January 2016 to 5 December 2018, of class 058/01"
    )


def test_a_person_row_with_small_indices_and_no_individual_is_numbered():
    """int8 indices with 128 entries and a null: the null is -1, the rest their places."""
    import pyarrow as pa

    dictionary = pa.array([f"p{i}" for i in range(128)])
    piece = pa.DictionaryArray.from_arrays(pa.array([0, None, 127], pa.int8()), dictionary)
    assert people_numbered(pa.chunked_array([piece, piece])).tolist() == [0, -1, 127] * 2


def test_a_charge_measure_of_classes_and_no_codes_counts_every_charge_on_those_crimes(extract):
    """Found by a new user: "how many people were charged on these crimes" needed every charge
    code listed. With classes and no charge_codes, every charge on a crime of the classes."""
    assert column(table(extract, {"count": "charges", "classes": ["damage"]})) == {TOTAL: 3}
    listed_codes = table(extract, {"count": "charges", "classes": ["damage"], "charge_codes": ["CD71001", "CD71002"]})
    assert column(listed_codes) == {TOTAL: 3}
    # ..01's two charges and ..11's are one person's (CMS 100002 = Connect PN3); ..14 is 028/03
    assert column(table(extract, {"count": "people_charged", "classes": ["damage"]})) == {TOTAL: 1}
    assert column(table(extract, {"count": "people_charged", "classes": ["028/03"]})) == {TOTAL: 1}
    params = validate_parameters(copy.deepcopy(BASE) | {
        "measures": {"c": {"label": "people charged", "period": PERIOD, "count": "people_charged", "classes": ["damage"]}},
        "tables": [{"name": "t", "question": 1, "title": "T", "measure": "c"}],
    })
    assert measures.searched_words(params, "c") == (
        "every crime with a charge from 1 January 2016 to 5 December 2018, of class 058/01"
    )


def test_a_victim_s_age_comes_from_their_record_on_the_other_system_if_this_one_has_no_date_of_birth(tmp_path):
    """One person on two systems (Connect's record names the CMS nominal): the Connect crime's
    victim has no date of birth on Connect, so their CMS record's gives the age; read from each
    record's own file (two person files, several crimes)."""
    folder = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms_crime("CM/16/0000001", "10/03/2016 09:00", **{"DATE COMMITTED": "01/03/2016", "HO CLASS": "058/01"})],
        connect_crimes=[connect_crime(f"0000001{i}/18", "2018-02-01T10:00:00", **{"Committed Date": "2018-01-31", "HO Class": "58/1"}) for i in range(3)],
        CMS_NOMINALS=[{"CRIME NO": "CM/16/0000001", "NOMINAL NO": "100001", "INVOLVEMENT": "VICTIM", "DOB": "01/03/2004"}],
        connect_persons=[
            {"Crime Reference": "00000010/18", "Person ID": "PN9", "Role": "Victim", "Date of Birth": "1980-01-01"},
            {"Crime Reference": "00000011/18", "Person ID": "PN1", "Legacy Nominal No": "100001", "Role": "Victim", "Date of Birth": ""},
            {"Crime Reference": "00000012/18", "Person ID": "PN8", "Role": "Suspect", "Date of Birth": "2005-01-01"},
        ],
    )
    answer = table(load_extracts(folder, personal_data=True), {"count": "victims", "classes": ["damage"]}, rows="victim_age", columns="year")
    counts = answer.counts
    # the victim of 2016 was 12, and 13 on the Connect crime of 31 January 2018; PN9 38
    assert counts.loc["Under 13", "2016"] == 1 and counts.loc["13 to 15", "2018 (to 5 Dec 2018)"] == 1
    assert counts.loc["18 and over", "2018 (to 5 Dec 2018)"] == 1 and counts.loc["Age not known", TOTAL] == 0


def test_an_age_table_where_no_one_has_a_date_of_birth_is_all_age_not_known(tmp_path):
    folder = write_extract(
        tmp_path / "extracts",
        connect_crimes=[connect_crime("00000011/18", "2018-02-01T10:00:00", **{"Committed Date": "2018-01-31", "HO Class": "58/1"})],
        connect_persons=[{"Crime Reference": "00000011/18", "Person ID": "PN1", "Role": "Victim", "Date of Birth": ""}],
    )
    answer = table(load_extracts(folder, personal_data=True), OFFENCES, rows="victim_age")
    assert column(answer)["Age not known"] == 1 and column(answer)[TOTAL] == 1


def test_a_date_of_birth_only_on_a_record_set_aside_is_not_used(tmp_path):
    """The person's other record is quarantined (its crime is in no file): it gives no date of
    birth (docs/requests.md), as it counts nowhere else."""
    folder = write_extract(
        tmp_path / "extracts",
        connect_crimes=[connect_crime("00000011/18", "2018-02-01T10:00:00", **{"Committed Date": "2018-01-31", "HO Class": "58/1"})],
        connect_persons=[
            {"Crime Reference": "00000011/18", "Person ID": "PN1", "Role": "Victim", "Date of Birth": ""},
            {"Crime Reference": "00000099/18", "Person ID": "PN1", "Role": "Victim", "Date of Birth": "2010-01-01"},
        ],
    )
    extract = load_extracts(folder, personal_data=True)
    assert len(extract.quarantine) == 1
    assert column(table(extract, OFFENCES, rows="victim_age"))["Age not known"] == 1


def test_the_part_a_search_counts_names_up_to_three_terms_and_points_to_the_method_for_more(extract):
    """"Of these, 34 were offences whose circumstances mention any of “paedophile hunter”,
    “vigilante”, “hunter group”, ... or “Safeguard Sentinels”": every term of a search in a
    sentence of the answer. Three or fewer are named; more are in the method's list."""
    def words(terms):
        (answer,) = tables_of(extract, OFFENCES, {"name": "t", "rows": "search", "search": "s"}, searches={"s": {"terms": terms}})
        return answer.facts.part_terms

    assert words(["dog", "puppy", "hound"]) == "any of \u201cdog\u201d, \u201cpuppy\u201d or \u201chound\u201d"
    assert words(["dog", "puppy", "hound", "cur"]) == "one of the 4 terms listed under \u201cHow we counted\u201d"


def test_an_age_grows_on_the_birthday_itself_and_a_29_february_birthday_on_1_march():
    """docs/requests.md's worked example: born on 10 June 2004, 12 on 9 June 2017 and 13 on
    10 June 2017; born on 29 February 2004, 12 on 28 February 2017 and 13 on 1 March 2017."""
    born = pd.Series(pd.to_datetime(["2004-06-10", "2004-06-10", "2004-02-29", "2004-02-29", "2004-02-29"]))
    on = pd.Series(pd.to_datetime(["2017-06-09", "2017-06-10", "2017-02-28", "2017-03-01", "2016-02-29"]))
    assert measures.age_on(born, on).tolist() == [12, 13, 12, 13, 12]


def test_how_we_counted_names_a_whole_home_office_group_or_many_classes_by_code_not_every_title(extract):
    """Found by a new user: a measure of the Home Office group "Violence against the person",
    pasted from `foi-briefing classes --group`, listed all 264 classes with their titles in the
    method (a 56 KB page). A whole group is named; many classes are listed by code."""
    from helpers.briefing.answers import measure_rule
    from helpers.extracts import ho_classes

    group = [row["code"] for row in ho_classes.find_classes(group="Violence against the person")]
    values = copy.deepcopy(BASE)
    values["class_groups"] = {"vap": {"label": "violence against the person", "classes": group},
                              "most": {"label": "most violence", "classes": group[:-1]}}
    values["measures"] = {
        "v": {"count": "offences", "label": "offences of violence", "classes": ["vap"], "period": PERIOD},
        "m": {"count": "victims", "label": "victims of violence", "classes": ["most"], "period": PERIOD},
        "c": {"count": "charges", "label": "charges", "classes": ["vap"], "period": PERIOD},
        "s": {"count": "mentions", "label": "crimes", "classes": ["most"], "terms": ["snapchat"], "period": PERIOD},
    }
    values["tables"] = [{"name": n, "question": 1, "title": n, "measure": n} for n in "vmcs"]
    params = validate_parameters(values)
    v, m, c, s = answer_tables(params, extract)
    # a list of codes is closed by a comma before what the crimes mention
    assert f"{group[-3]} and {group[-2]}, whose circumstances" in measure_rule(params, "s", s.facts)
    n = len(group)
    assert measure_rule(params, "v", v.facts).startswith(
        f"Crimes recorded under any class of the Home Office group \u201cViolence against the person\u201d (all {n} of its classes), from"
    )
    most = measure_rule(params, "m", m.facts)
    assert most.startswith(f"People recorded as a victim of a crime under any of these {n - 1} Home Office classes: {group[0]}, {group[1]}, ")
    assert f"{group[-3]} and {group[-2]}, from" in most and ho_classes.class_title(group[0]) not in most
    assert ", on a crime classified now under any class of the Home Office group \u201cViolence against the person\u201d" in measure_rule(params, "c", c.facts)


def test_todays_request_shape_compares_its_classes_titles_too(sample, tmp_path, monkeypatch):
    """Found by a reviewer: the class-title warnings read the classes of a request's measures, and
    a request of today's shape (20180075) has its measures only in the grammar it is read into."""
    import yaml

    from helpers.project import project_root
    from helpers.request import steps
    from helpers.request.parameters import read_parameters

    monkeypatch.setenv("FOI_NO_CACHE", "1")
    profile = yaml.safe_load((project_root() / "profiles" / "cms-connect.yaml").read_text())
    own = tmp_path / "force.yaml"
    own.write_text(yaml.safe_dump({**profile, "class_titles": {"088/01": "Meeting a girl after grooming"}}))
    params = read_parameters(project_root() / "parameters" / "20180075.yaml", {"profile": str(own), "extracts_dir": str(sample)})
    extract = steps.load(params)
    (warning,) = steps.results(params, extract, steps.answer(params, extract))["warnings"]
    assert warning.startswith(
        "class 088/01: the extracts title it \u201cMeeting a female child following sexual grooming etc\u201d, "
        "the briefing \u201cMeeting a girl after grooming\u201d (the force profile\u2019s class_titles)"
    )
