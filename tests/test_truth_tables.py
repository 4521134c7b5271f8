"""The generator's truth for the request grammar's tables, and the mentions planted in its texts.

`truth_for_tables` is the independent check of the engine: here it is checked by hand on a tiny
model, run on every example request, and the words it counts are checked in the rendered files.
"""

import csv
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.project import project_root
from helpers.synthetic.classes import CLS_INDEX
from helpers.synthetic.generator import generate_extracts
from helpers.synthetic.mentions import PLANT, PLANTS
from helpers.synthetic.truth import SyntheticTruth
from helpers.synthetic.truth_tables import class_label, period_of, truth_for_tables

EXAMPLES = sorted((project_root() / "parameters" / "examples").glob("*.yaml"))
BANDS = [
    {"label": "Under 13", "to": 12},
    {"label": "13 to 15", "from": 13, "to": 15},
    {"label": "16 and 17", "from": 16, "to": 17},
    {"label": "18 and over", "from": 18},
]


# --------------------------------------------------------------------------------------------------
# a tiny model, counted by hand
# --------------------------------------------------------------------------------------------------


def ts(text):
    return pd.Timestamp(text) if text else pd.NaT


def tiny() -> SyntheticTruth:
    """Six crimes, five people, four charges (the comments say what each is for)."""
    rows = [
        # id, recorded, committed, class, cancelled, outcome, in_cms, planted
        (0, "2016-03-01 10:00", "2016-02-28", "058/01", False, 1, True, "dog"),
        (1, "2017-12-31 23:59:59", None, "058/01", False, None, False, "hot_dog"),  # no committed date
        (2, "2018-01-01 00:00:00", "2017-12-30", "058/01", True, None, False, ""),  # cancelled
        (3, "2018-12-05 08:00", "2018-12-01", "008/06", False, 15, False, "dog_negated"),
        (4, "2018-12-06 09:00", "2018-12-06", "058/01", False, 18, False, ""),  # no victim
        (5, "2015-06-15 12:00", "2015-06-10", "088/01", False, 2, True, ""),  # names Snapchat
    ]
    crimes = pd.DataFrame(
        {
            "crime_id": [r[0] for r in rows],
            "recorded": pd.to_datetime([r[1] for r in rows], format="ISO8601").astype("datetime64[s]"),
            "committed": pd.Series([ts(r[2]) for r in rows]).astype("datetime64[s]"),
            "ho_class": [r[3] for r in rows],
            "cancelled": [r[4] for r in rows],
            "outcome": pd.array([r[5] for r in rows], dtype="Int64"),
            "in_cms": [r[6] for r in rows],
            "mention_planted": [r[7] for r in rows],
        }
    )
    crimes["mentions_dog"] = crimes["mention_planted"].isin(["dog", "hot_dog"])
    crimes["mentions_snapchat"] = crimes["crime_id"] == 5
    crimes["mentions_e_scooter"] = False
    crimes["mention_phrase"] = np.where(crimes["mention_planted"] == "hot_dog", "hot dog", None)
    individuals = pd.DataFrame(
        {
            "individual_id": [0, 1, 2, 3, 4],
            "dob": pd.Series(
                [ts("2005-03-01"), ts("2000-02-29"), pd.NaT, ts("1980-01-01"), ts("2002-12-01")]
            ).astype("datetime64[s]"),
        }
    )
    links = pd.DataFrame(
        [
            (0, 0, "victim"),  # 10 on 28 Feb 2016: Under 13
            (0, 4, "victim"),  # 13: the crime's second victim, in another band
            (0, 2, "suspect"),  # no date of birth
            (0, 3, "suspect"),  # 36
            (1, 3, "victim"),  # the crime has no committed date
            (2, 1, "suspect"),
            (3, 0, "victim"),  # 13 on 1 Dec 2018: the same victim in a second band
            (5, 1, "victim"),  # 15
        ],
        columns=["crime_id", "individual_id", "role"],
    )
    charges = pd.DataFrame(
        {
            "charge_id": [0, 1, 2, 3],
            "crime_id": [0, 0, 3, 5],
            "individual_id": [3, 3, 1, 2],
            "charge_date": pd.to_datetime(
                ["2016-04-01", "2016-04-01", "2018-12-20", "2017-01-10"]
            ).astype("datetime64[s]"),
            "cjs_code": ["CD71001", "CJ88116", "of61047", "SX03225"],
        }
    )
    return SyntheticTruth(crimes, individuals, links, charges, 1, 6, date(2019, 1, 1), 2015)


def request(measure: dict, rows=None, columns=None, **keys) -> dict:
    table = {"name": "t", "question": 1, "title": "T", "measure": "m"}
    table.update({k: v for k, v in (("rows", rows), ("columns", columns)) if v})
    return {"extracts_taken_on": date(2019, 1, 1), "measures": {"m": measure}, "tables": [table], **keys}


def answer(measure: dict, rows=None, columns=None, **keys) -> dict:
    return truth_for_tables(tiny(), request(measure, rows, columns, **keys))["t"]


DAMAGE = {"count": "offences", "classes": ["58/1"], "period": {"from": "2016-01-01", "to": "2018-12-05"}}
ALL = {"from": date(2015, 1, 1), "to": date(2018, 12, 31)}
THREE = ["58/1", "8/6", "088/01"]


def test_offences_by_year_live_by_first_recording_cut_at_the_period():
    assert answer(DAMAGE, rows="year") == {
        "2016": {"Offences": 1},
        "2017": {"Offences": 1},  # 23:59:59 on 31 December is 2017
        "2018 (to 5 Dec 2018)": {"Offences": 0},  # 2: cancelled; 4: after 5 December
        "Total": {"Offences": 2},
    }


@pytest.mark.parametrize(("status", "in_2018"), [("all", 1), ("cancelled", 1), ("live", 0)])
def test_status_selects_cancelled_crimes(status, in_2018):
    table = answer({**DAMAGE, "status": status}, rows="year")
    assert table["2018 (to 5 Dec 2018)"] == {"Offences": in_2018}
    assert table["Total"]["Offences"] == {"all": 3, "cancelled": 1, "live": 2}[status]


def test_a_crime_with_no_committed_date_is_not_counted_by_committed_date():
    assert answer({**DAMAGE, "date": "committed"}, rows="year")["Total"] == {"Offences": 1}


def test_no_breakdown_is_one_cell():
    assert answer(DAMAGE) == {"Total": {"Offences": 2}}
    assert answer(DAMAGE, columns="year") == {
        "Total": {"2016": 1, "2017": 1, "2018 (to 5 Dec 2018)": 0, "Total": 2}
    }


def test_victims_by_age_band_count_a_person_once_in_each_total():
    measure = {"count": "victims", "classes": THREE, "period": ALL}
    table = answer(measure, rows="victim_age", columns="year", age_bands=BANDS)
    assert table == {
        "Under 13": {"2015": 0, "2016": 1, "2017": 0, "2018": 0, "Total": 1},
        "13 to 15": {"2015": 1, "2016": 1, "2017": 0, "2018": 1, "Total": 3},
        "16 and 17": {"2015": 0, "2016": 0, "2017": 0, "2018": 0, "Total": 0},
        "18 and over": {"2015": 0, "2016": 0, "2017": 0, "2018": 0, "Total": 0},
        "Age not known": {"2015": 0, "2016": 0, "2017": 1, "2018": 0, "Total": 1},
        # person 0 is Under 13 in 2016 and 13 in 2018: four people, not five
        "Total": {"2015": 1, "2016": 2, "2017": 1, "2018": 1, "Total": 4},
    }


def test_offences_by_victim_age_count_a_crime_in_each_of_its_victims_bands():
    measure = {"count": "offences", "classes": THREE, "period": ALL}
    table = answer(measure, rows="victim_age", age_bands=BANDS)
    assert table == {
        "Under 13": {"Offences": 1},
        "13 to 15": {"Offences": 3},  # crimes 0, 3, 5 (a birthday on 29 February: 15 on 10 June)
        "16 and 17": {"Offences": 0},
        "18 and over": {"Offences": 0},
        "Age not known": {"Offences": 2},  # 1: no committed date; 4: no victim
        "Total": {"Offences": 5},
    }


def test_suspects_by_age_without_a_date_of_birth_are_not_known():
    measure = {"count": "suspects", "classes": THREE, "period": ALL}
    table = answer(measure, rows="suspect_age", age_bands=BANDS)
    assert table["18 and over"] == {"Suspects": 1} and table["Age not known"] == {"Suspects": 1}
    assert table["Total"] == {"Suspects": 2}  # the suspect of cancelled crime 2 is not counted


def test_charges_and_people_charged_by_charge_group():
    groups = {"damage": {"label": "Criminal damage", "codes": ["CD71001"]},
              "assault": {"label": "Assault", "codes": ["OF61047", "CJ 88116"]}}
    charges = {"count": "charges", "charge_codes": ["damage", "assault"], "period": ALL}
    assert answer(charges, rows="charge_group", columns="year", charge_groups=groups) == {
        "Criminal damage": {"2015": 0, "2016": 1, "2017": 0, "2018": 0, "Total": 1},
        "Assault": {"2015": 0, "2016": 1, "2017": 0, "2018": 1, "Total": 2},  # "of61047" too
        "Total": {"2015": 0, "2016": 2, "2017": 0, "2018": 1, "Total": 3},
    }
    people = {**charges, "count": "people_charged"}
    assert answer(people, rows="charge_group", charge_groups=groups) == {
        "Criminal damage": {"People charged": 1},
        "Assault": {"People charged": 2},
        "Total": {"People charged": 2},  # person 3 in both groups
    }


def test_charges_by_class_of_the_charged_crime():
    charges = {"count": "charges", "charge_codes": ["CD71001", "CJ88116", "OF61047"], "period": ALL}
    assert answer(charges, rows="offence_class") == {
        class_label("008/06"): {"Charges": 1},
        class_label("058/01"): {"Charges": 2},
        "Total": {"Charges": 3},
    }
    assert answer({**charges, "classes": ["58/1"]}) == {"Total": {"Charges": 2}}


def test_outcome_groups_of_the_request_then_other_and_none_yet():
    measure = {"count": "offences", "classes": THREE, "period": ALL, "status": "all"}
    grouping = {"Charged": [1], "No further action": [14, 15, 16, 18]}
    assert answer(measure, rows="outcome_group", outcome_groups=grouping) == {
        "Charged": {"Offences": 1},
        "No further action": {"Offences": 2},
        "Other outcomes": {"Offences": 1},  # outcome 2
        "Not yet assigned an outcome": {"Offences": 2},
        "Total": {"Offences": 6},
    }


def test_default_outcome_groups_are_the_home_offices_all_shown():
    from helpers.disclosure.outcomes import OUTCOME_GROUPS

    measure = {"count": "offences", "classes": THREE, "period": ALL}
    table = answer(measure, rows="outcome_group")
    assert list(table) == [*OUTCOME_GROUPS, "Total"]
    assert table["Charged/summonsed"] == {"Offences": 1}
    assert table["Out-of-court (formal)"] == {"Offences": 1}
    assert table["Not yet assigned an outcome"] == {"Offences": 1}
    assert table["Total"] == {"Offences": 5}


def test_the_truths_outcome_groups_are_the_projects():
    from helpers.disclosure.outcomes import OUTCOME_GROUPS
    from helpers.synthetic.classes import HO_OUTCOME_GROUPS

    assert HO_OUTCOME_GROUPS == OUTCOME_GROUPS


def test_mentions_not_negated_and_not_inside_an_excluded_phrase():
    dog = {"count": "mentions", "terms": ["dog"], "period": ALL}
    assert answer(dog) == {"Total": {"Crimes": 2}}  # crime 3's "No dog" is negated
    assert answer({**dog, "exclude_terms": ["Hot  Dog"]}) == {"Total": {"Crimes": 1}}
    assert answer(dog, rows="offence_class") == {
        class_label("058/01"): {"Crimes": 2},
        "Total": {"Crimes": 2},
    }
    assert answer({**dog, "terms": ["Snapchat", "dogs"]}) == {"Total": {"Crimes": 3}}
    offences = {"count": "offences", "classes": ["088/01"], "terms": ["snapchat"], "period": ALL}
    assert answer(offences) == {"Total": {"Offences": 1}}


def test_a_term_or_phrase_the_model_did_not_plant_is_refused():
    with pytest.raises(ValueError, match="cat"):
        answer({"count": "mentions", "terms": ["cat"], "period": ALL})
    with pytest.raises(ValueError, match="dog show"):
        answer({"count": "mentions", "terms": ["dog"], "exclude_terms": ["dog show"], "period": ALL})


def test_system_the_crime_was_first_recorded_on():
    measure = {"count": "offences", "classes": ["58/1", "88/1"], "period": ALL}
    assert answer(measure, columns="system") == {"Total": {"CMS": 2, "Connect": 2, "Total": 4}}


@pytest.mark.parametrize(
    ("kind", "period", "labels"),
    [
        ("financial_year", {"from": "2016-01-01", "to": "2017-12-31"},
         ["2015/16 (from 1 Jan 2016)", "2016/17", "2017/18 (to 31 Dec 2017)"]),
        ("quarter", {"from": "2016-02-15", "to": "2016-05-10"},
         ["Jan to Mar 2016 (from 15 Feb 2016)", "Apr to Jun 2016 (to 10 May 2016)"]),
        ("month", {"from": "2018-12-05", "to": "2018-12-20"}, ["Dec 2018 (5 Dec 2018 to 20 Dec 2018)"]),
        ("year", {"last_years": 2}, ["2017", "2018"]),
    ],
)
def test_time_units_overlapping_the_period_in_order_with_their_cuts(kind, period, labels):
    table = answer({"count": "offences", "classes": ["58/1"], "period": period}, rows=kind)
    assert list(table) == [*labels, "Total"]


@pytest.mark.parametrize(
    ("spec", "as_of", "days"),
    [
        ({"last_years": 3}, date(2019, 1, 1), (date(2016, 1, 1), date(2018, 12, 31))),
        ({"last_months": 36}, date(2019, 1, 1), (date(2016, 1, 1), date(2018, 12, 31))),
        ({"last_months": 1}, date(2018, 3, 15), (date(2018, 2, 1), date(2018, 2, 28))),
        ({"year_to_date": True}, date(2018, 12, 5), (date(2018, 1, 1), date(2018, 12, 5))),
        ({"from": "2016-01-01", "to": date(2016, 2, 1)}, date(2019, 1, 1), (date(2016, 1, 1), date(2016, 2, 1))),
    ],
)
def test_periods(spec, as_of, days):
    assert period_of(spec, as_of) == days


def test_a_period_ending_after_the_extracts_were_taken_is_refused():
    with pytest.raises(ValueError, match="measure m"):
        answer({**DAMAGE, "period": {"from": "2018-01-01", "to": "2019-01-02"}})


def test_as_of_is_the_requests_date_else_when_the_extracts_were_taken():
    ytd = {"count": "offences", "classes": ["58/1"], "period": {"year_to_date": True}}
    assert list(answer(ytd, rows="year")) == ["2019 (to 1 Jan 2019)", "Total"]
    assert list(answer(ytd, rows="year", as_of="2018-12-05")) == ["2018 (to 5 Dec 2018)", "Total"]


# --------------------------------------------------------------------------------------------------
# the examples on a generated model
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    return folder, generate_extracts(folder, n_crimes=20_000, seed=20180075)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_there_are_six_examples_each_a_whole_request():
    assert len(EXAMPLES) >= 6
    for path in EXAMPLES:
        params = load(path)
        assert {"reference", "title", "received", "questions", "measures", "tables"} <= set(params), path
        assert params["extracts_taken_on"] == date(2019, 1, 1) and params["extracts_dir"] == "data/extracts"
        questions = {t["question"] for t in params["tables"]}
        assert questions == set(range(1, len(params["questions"]) + 1)), path
        for measure in params["measures"].values():
            groups = params.get("class_groups") or {}
            for item in measure.get("classes") or []:
                for code in groups[item]["classes"] if item in groups else [item]:
                    a, b = str(code).split("/")
                    assert f"{int(a):03d}/{int(b):02d}" in CLS_INDEX, (path, code)


def _is_split_of_crimes(params: dict, table: dict) -> bool:
    """A table whose Total is the sum of its parts: crimes or charges by a one-valued breakdown."""
    count = params["measures"][table["measure"]]["count"]
    ages = {"victim_age", "suspect_age"}
    return count in ("offences", "mentions", "charges") and not ages & {table.get("rows"), table.get("columns")}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_examples_truth_has_sane_totals(synthetic, path):
    _, truth = synthetic
    params = load(path)
    answers = truth_for_tables(truth, params)
    assert list(answers) == [t["name"] for t in params["tables"]]
    for table in params["tables"]:
        counts = answers[table["name"]]
        frame = pd.DataFrame(counts).T  # rows x columns
        assert (frame.to_numpy() >= 0).all()
        if table.get("of_whom"):  # a part of the Total, below it
            of_whom = frame.loc[table["of_whom"]["label"]]
            frame = frame.drop(index=table["of_whom"]["label"])
            assert (of_whom <= frame.iloc[-1]).all() and of_whom.iloc[-1] > 0, table["name"]
        frame = frame.rename(index={table.get("total_label"): "Total"})
        total = frame.loc["Total"]
        assert total.iloc[-1] > 0, table["name"]
        parts = frame.drop(index="Total") if table.get("rows") else None
        if parts is None:
            continue
        if _is_split_of_crimes(params, table):
            assert (parts.sum() == total).all(), table["name"]
        else:
            assert (parts.sum() >= total).all() and (parts.max() <= total).all(), table["name"]
        if table.get("columns"):
            cols = frame.drop(columns="Total")
            if _is_split_of_crimes(params, table):
                assert (cols.sum(axis=1) == frame["Total"]).all(), table["name"]
            else:
                assert (cols.sum(axis=1) >= frame["Total"]).all(), table["name"]


def test_the_examples_count_people_in_two_bands_once(synthetic):
    """The sexual-offences example's offences by victim age: some crime has victims in two bands
    (else the test of a Total below the sum would test nothing)."""
    _, truth = synthetic
    table = truth_for_tables(truth, load(project_root() / "parameters/examples/sexual-offences-by-age.yaml"))
    by_age = pd.DataFrame(table["offences_by_victim_age"]).T
    assert (by_age.drop(columns="Total").sum(axis=1) > by_age["Total"]).any()


# --------------------------------------------------------------------------------------------------
# the planted mentions, in the files
# --------------------------------------------------------------------------------------------------


def texts_in(path: Path, ref: str, text: str) -> dict[str, str]:
    encoding = "cp1252" if path.name.startswith("CMS_") else "utf-8-sig"
    with open(path, encoding=encoding, newline="") as fh:
        return {r[ref]: r[text] for r in csv.DictReader(fh)}


def sentences_in(text: str) -> set[str]:
    return {p.kind for p in PLANTS for s in p.sentences if s in text}


def test_each_planted_sentence_is_in_both_systems_texts_exactly_where_the_truth_says(synthetic):
    folder, truth = synthetic
    c = truth.crimes
    cms = texts_in(folder / "CMS_CRIMES.csv", "CRIME NO", "CIRCUMSTANCES")
    connect = texts_in(folder / "connect_crimes.csv", "Crime Reference", "Circumstances")
    for texts, ref, held in ((cms, "cms_ref", "in_cms"), (connect, "connect_ref", "in_connect")):
        kinds = [sentences_in(texts[r]) for r in c.loc[c[held], ref]]
        expected = [{k} if k else set() for k in c.loc[c[held], "mention_planted"]]
        assert kinds == expected, held
    for kind in PLANT:  # every kind occurs, and only in plain texts: the hunter truth is as it was
        assert (c["mention_planted"] == kind).sum() >= 2, kind
    assert (c.loc[c["mention_planted"] != "", "text_kind"] == "plain").all()


def test_the_mention_columns_say_what_the_texts_mention(synthetic):
    _, truth = synthetic
    c = truth.crimes
    text = c["circumstances"].str.lower()
    planted = c["mention_planted"]
    pd.testing.assert_series_equal(
        c["mentions_snapchat"], text.str.contains("snapchat") & (planted != "snapchat_negated"),
        check_names=False,
    )
    dog = text.map(lambda t: re.search(r"\bdogs?\b", t) is not None)
    pd.testing.assert_series_equal(c["mentions_dog"], dog & (planted != "dog_negated"), check_names=False)
    scooter = text.str.contains("e-scooter")
    pd.testing.assert_series_equal(
        c["mentions_e_scooter"], scooter & (planted != "e_scooter_negated"), check_names=False
    )
    phrase = c["mention_phrase"].fillna("")
    assert set(phrase[phrase != ""]) == {"hot dog", "snapchat filter"}
    assert (phrase == "hot dog").sum() == (planted == "hot_dog").sum()
    # Snapchat was already one of the templates' apps: the truth counts those texts too
    assert (c["mentions_snapchat"] & (planted == "")).any()


def test_planting_changes_nothing_but_the_planted_texts(tmp_path, monkeypatch):
    """The same seed without the planting step: every other column of every table is the same,
    and each text is the same but for the sentence appended."""
    import helpers.synthetic.generator as generator

    planted = generate_extracts(tmp_path / "a", n_crimes=3000, seed=7)
    monkeypatch.setattr(generator, "plant_mentions", lambda seed, crimes: (crimes, None))
    plain = generate_extracts(tmp_path / "b", n_crimes=3000, seed=7)
    for name in ("individuals", "links", "charges"):
        pd.testing.assert_frame_equal(getattr(planted, name), getattr(plain, name))
    texts = ["circumstances", "cms_circumstances"]
    pd.testing.assert_frame_equal(planted.crimes[plain.crimes.columns].drop(columns=texts),
                                  plain.crimes.drop(columns=texts))
    c = planted.crimes
    sentence = {p.kind: p.sentences for p in PLANTS}
    for column in texts:
        had = c[column].notna()
        stripped = []
        for text, kind in zip(c.loc[had, column], c.loc[had, "mention_planted"], strict=True):
            ends = [s for s in sentence.get(kind, ()) if text.endswith(" " + s)]
            assert bool(ends) == bool(kind)
            stripped.append(text.removesuffix(" " + ends[0]) if ends else text)
        assert stripped == plain.crimes.loc[had, column].tolist(), column


# --------------------------------------------------------------------------------------------------
# the model as the files show it: ages from the persons files' dates of birth and roles
# --------------------------------------------------------------------------------------------------


def _band(age: int) -> str:
    return next(b["label"] for b in BANDS if b.get("from", 0) <= age <= b.get("to", 200))


def test_victims_and_suspects_by_age_equal_a_plain_recount_of_the_files(synthetic):
    """Each person record's role and date of birth, and its crime's class, status, first recording
    and committed date, read from the six files (the truth's links only say which records are one
    person): the sexual-offences example's people by age band and year."""
    from datetime import datetime

    folder, truth = synthetic
    params = load(project_root() / "parameters/examples/sexual-offences-by-age.yaml")
    classes = set(params["class_groups"]["sexual_offences"]["classes"])

    def rows(name):
        return csv.DictReader(open(folder / name, encoding="cp1252" if name.startswith("CMS") else "utf-8-sig", newline=""))

    def norm(code):
        a, b = code.split("/")
        return f"{int(a):03d}/{int(b):02d}"

    def day(text, fmt):
        return datetime.strptime(text, fmt).date() if text else None

    crimes = {}  # ref -> (class, cancelled, first recorded, committed)
    for r in rows("CMS_CRIMES.csv"):
        if r["CRIME STATUS"] != "MIGRATED":
            crimes[r["CRIME NO"]] = (norm(r["HO CLASS"]), r["CRIME STATUS"] == "NO CRIME",
                                     day(r["DATE RECORDED"], "%d/%m/%Y %H:%M"), day(r["DATE COMMITTED"], "%d/%m/%Y"))
    for r in rows("connect_crimes.csv"):
        recorded = r["Original Recorded Date"] or r["Recorded Date"]
        crimes[r["Crime Reference"]] = (norm(r["HO Class"]), r["Crime Status"].startswith("Cancelled"),
                                        datetime.fromisoformat(recorded).date(), day(r["Committed Date"], "%Y-%m-%d"))
    links = truth.links
    person = {("N", str(int(n))): i for n, i in zip(links["cms_nominal_no"], links["individual_id"], strict=True) if not pd.isna(n)}
    person |= {("P", p): i for p, i in zip(links["connect_person_id"], links["individual_id"], strict=True) if isinstance(p, str)}
    records = [(r["CRIME NO"], r["INVOLVEMENT"].lower(), day(r["DOB"], "%d/%m/%Y"), person[("N", r["NOMINAL NO"])])
               for r in rows("CMS_NOMINALS.csv")]
    records += [(r["Crime Reference"], r["Role"].lower(), day(r["Date of Birth"], "%Y-%m-%d"), person[("P", r["Person ID"])])
                for r in rows("connect_persons.csv")]
    for role, name in (("victim", "victims_by_age"), ("suspect", "suspects_by_age")):
        cells: dict = {}
        for ref, their_role, born, who in records:
            if ref not in crimes or their_role != role:
                continue  # a migrated crime's CMS row: its Connect copy holds its people
            cls, cancelled, recorded, committed = crimes[ref]
            if cls in classes and not cancelled and 2016 <= recorded.year <= 2018:
                if born and committed:
                    age = committed.year - born.year - ((committed.month, committed.day) < (born.month, born.day))
                    band = _band(age)
                else:
                    band = "Age not known"
                cells.setdefault((band, str(recorded.year)), set()).add(who)
        table = truth_for_tables(truth, params)[name]
        for band, by_year in table.items():
            for year, n in by_year.items():
                if "Total" not in (band, year):
                    assert n == len(cells.get((band, year), ())), (name, band, year)


@pytest.mark.parametrize(("term", "column"), [("Snapchat", "mentions_snapchat"), ("dog", "mentions_dog"), ("e-scooter", "mentions_e_scooter")])
def test_the_projects_search_finds_the_mentions_the_truth_says(synthetic, term, column):
    """The texts are planted so that the project's search reads them as the truth does (a check
    of the planting, never a source of the truth): counted where the truth says, negated only
    where a negated sentence was planted."""
    from helpers.analysis.evidence import classify_crimes, find_mentions

    _, truth = synthetic
    c = truth.crimes
    texts = pd.Series(c["circumstances"].to_numpy(), index=c["crime_id"].astype(str))
    found = classify_crimes(find_mentions(texts, [term])).set_index("crime_ref")
    counted = set(found.index[found["counted"]].astype(int))
    assert counted == set(c.loc[c[column], "crime_id"])
    negated = set(found.index[~found["counted"]].astype(int))
    negated_kind = column.removeprefix("mentions_") + "_negated"
    assert negated == set(c.loc[c["mention_planted"] == negated_kind, "crime_id"])


def test_a_charge_measure_of_classes_and_no_codes_counts_every_charge_on_them():
    """Charges of any code on crimes of the classes: crime 0 (058/01) has two, by one person;
    crime 3 (008/06) one; crime 5 (088/01) one."""
    charges = {"count": "charges", "classes": ["58/1", "8/6"], "period": ALL}
    assert answer(charges) == {"Total": {"Charges": 3}}
    people = {"count": "people_charged", "classes": ["58/1", "8/6"], "period": ALL}
    assert answer(people) == {"Total": {"People charged": 2}}
