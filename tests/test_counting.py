"""Each counting rule, on a small hand-made extract that would give another figure without it."""


import pytest
from builders import cms_crime, connect_crime, migrated, write_extract

from helpers.extracts.load import load_extracts
from helpers.project import project_root
from helpers.request import steps
from helpers.request.measures import answer_tables
from helpers.request.parameters import read_parameters
from helpers.request.translate import in_grammar


def todays(directory, year: int = 2017):
    """Request 20180075 on the extract in `directory` (charge year `year`), counted as the runner
    counts it: its keys read into the request grammar (`steps.answer`), without the check that
    the extract covers the period (these extracts hold a few crimes)."""
    params = read_parameters(project_root() / "parameters" / "20180075.yaml", {"extracts_dir": str(directory), "charge_year": year})
    extract = load_extracts(directory)
    answers = answer_tables(in_grammar(params), extract)
    return answers, steps.todays_results(params, extract, answers)


def offences(directory) -> list[str]:
    """The crimes the request counts as its offences, in the extract's order."""
    answers, _ = todays(directory)
    (table,) = [answer for answer in answers if answer.name == "offences_by_year"]
    return table.events.frame["crime_id"].tolist()


def by_year(directory):
    return todays(directory)[1]["offences_by_year"]


def outcomes_by_year(directory):
    return todays(directory)[1]["outcomes_by_year"]


def charged(directory, year=2017):
    persons = todays(directory, year)[1]["persons_charged"]
    return {key: n for key, n in persons.items() if key != "vigilante"}


# ---- offences


def test_recorded_dates_at_the_period_boundaries_count_by_whole_local_days(tmp_path):
    write_extract(
        tmp_path,
        CMS_CRIMES=[
            cms_crime("CM/14/0000001", "31/12/2014 23:59"),  # the day before: out
            cms_crime("CM/15/0000002", "01/01/2015 00:00"),  # first minute: in
            cms_crime("CM/15/0000003", "31/12/2015 23:59"),
            cms_crime("CM/16/0000004", "01/01/2016 00:00"),
        ],
        connect_crimes=[
            connect_crime("00000001/17", "2017-12-31T23:59:59"),  # last second: in
            connect_crime("00000002/18", "2018-01-01T00:00:00"),  # the day after: out
        ],
    )
    assert by_year(tmp_path) == {"2015": 2, "2016": 1, "2017": 1}


def test_every_year_of_the_period_is_reported_even_with_no_offences(tmp_path):
    write_extract(tmp_path, CMS_CRIMES=[cms_crime("CM/16/0000001", "05/05/2016 10:00")])
    assert by_year(tmp_path) == {"2015": 0, "2016": 1, "2017": 0}


def test_a_migrated_crime_counts_once_by_its_original_recorded_date(tmp_path):
    cms, connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00")
    write_extract(tmp_path, CMS_CRIMES=[cms], connect_crimes=[connect])
    # once, in 2016 (not 2017, when the migration run recorded the Connect copy)
    assert by_year(tmp_path) == {"2015": 0, "2016": 1, "2017": 0}
    assert offences(tmp_path) == ["00000001/16"]


def test_the_current_classification_decides(tmp_path):
    # reclassified after switch-over: out of grooming, and into grooming
    out_cms, out_connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00", cms_class="088/01", connect_class="71/17")
    in_cms, in_connect = migrated("CM/16/0000002", "00000002/16", "2016-04-01T09:30:00", cms_class="071/17", connect_class="88/2")
    write_extract(tmp_path, CMS_CRIMES=[out_cms, in_cms], connect_crimes=[out_connect, in_connect])
    assert offences(tmp_path) == ["00000002/16"]


def test_classification_codes_are_read_in_both_formats(tmp_path):
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/16/0000001", **{"HO CLASS": "088/02"}), cms_crime("CM/16/0000002", **{"HO CLASS": "008/01"})],
        connect_crimes=[connect_crime("00000001/17", **{"HO Class": "88/2"}), connect_crime("00000002/17", **{"HO Class": "8/1"})],
    )
    assert sorted(offences(tmp_path)) == ["00000001/17", "CM/16/0000001"]


def test_s15a_sexual_communication_071_17_is_not_sexual_grooming(tmp_path):
    write_extract(tmp_path, connect_crimes=[connect_crime("00000001/17", **{"HO Class": "71/17"})])
    assert by_year(tmp_path)["2017"] == 0


def test_cancelled_crimes_are_not_offences_in_either_system(tmp_path):
    cms_c, connect_c = migrated("CM/16/0000003", "00000003/16", "2016-05-01T09:00:00", **{"Crime Status": "Cancelled - C1"})
    write_extract(
        tmp_path,
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", **{"CRIME STATUS": "NO CRIME"}),
            cms_crime("CM/16/0000002", **{"CRIME STATUS": "CRIMED"}),
            cms_c,
        ],
        connect_crimes=[connect_crime("00000001/17", **{"Crime Status": "Cancelled - C3"}), connect_c],
    )
    assert offences(tmp_path) == ["CM/16/0000002"]


def test_outcomes_are_read_in_every_format_and_pending_where_none(tmp_path):
    write_extract(
        tmp_path,
        CMS_CRIMES=[
            cms_crime("CM/16/0000001", **{"HO OUTCOME": "15"}),
            cms_crime("CM/16/0000002", **{"HO OUTCOME": "01"}),
            cms_crime("CM/16/0000003"),
        ],
        connect_crimes=[
            connect_crime("00000001/17", "2017-12-05T10:00:00", Outcome="OC01 – Charge/Summons"),
            connect_crime("00000002/17", "2017-12-06T10:00:00", Outcome="OC15 – Sus/Insuff.Evidence"),
        ],
    )
    result = outcomes_by_year(tmp_path)
    assert result == {"2015": {}, "2016": {"1": 1, "15": 1, "pending": 1}, "2017": {"1": 1, "15": 1}}


def test_a_migrated_crime_has_its_current_outcome_not_the_legacy_one(tmp_path):
    cms, connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00", Outcome="OC01 – Charge/Summons")
    cms["HO OUTCOME"] = ""  # open at switch-over, charged later in Connect
    write_extract(tmp_path, CMS_CRIMES=[cms], connect_crimes=[connect])
    assert outcomes_by_year(tmp_path)["2016"] == {"1": 1}


# ---- people charged


def nominal(crime, number, pnc=""):
    return {"CRIME NO": crime, "NOMINAL NO": number, "PNC ID": pnc}


def person(crime, person_id, legacy="", pnc=""):
    return {"Crime Reference": crime, "Person ID": person_id, "Legacy Nominal No": legacy, "PNC ID": pnc}


def cms_charge(crime, number, code="SX03225", day="01/06/2017"):
    return {"CRIME NO": crime, "NOMINAL NO": number, "CJS CODE": code, "CHARGE DATE": day}


def connect_charge(crime, person_id, code="SX03225", day="2017-12-20"):
    return {"Crime Reference": crime, "Person ID": person_id, "CJS Offence Code": code, "Charge Date": day}


def test_a_repeat_offender_charged_on_two_crimes_is_one_person(tmp_path):
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/17/0000001", "01/02/2017 10:00"), cms_crime("CM/17/0000002", "01/03/2017 10:00")],
        CMS_NOMINALS=[nominal("CM/17/0000001", "400001"), nominal("CM/17/0000002", "400001")],
        CMS_CHARGES=[cms_charge("CM/17/0000001", "400001", day="10/02/2017"), cms_charge("CM/17/0000002", "400001", day="10/03/2017")],
    )
    assert charged(tmp_path)["section_15"] == 1


def test_a_duplicate_connect_person_record_is_tied_by_pnc_id_across_formats(tmp_path):
    # CMS nominal with a hand-keyed PNC ID; Connect's record made from it; and a Connect duplicate
    # with no legacy number, tied only by the PNC ID written the Connect way
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/17/0000001", "01/02/2017 10:00")],
        CMS_NOMINALS=[nominal("CM/17/0000001", "400001", " 2000/0448754a ")],
        CMS_CHARGES=[cms_charge("CM/17/0000001", "400001", day="10/02/2017")],
        connect_crimes=[connect_crime("00000001/17"), connect_crime("00000002/17")],
        connect_persons=[person("00000001/17", "PER7400001", legacy="400001"), person("00000002/17", "PERD0000001", pnc="00/448754A")],
        connect_charges=[connect_charge("00000001/17", "PER7400001", "SX03226"), connect_charge("00000002/17", "PERD0000001", "SX03225")],
    )
    assert charged(tmp_path) == {"year": 2017, "section_15": 1, "attempt_section_15": 0, "either": 1}


@pytest.mark.parametrize(
    ("cms_pnc", "connect_pnc", "same"),
    [
        ("2000/0448754A", "00/448754A", True),
        (" 2000/0448754a ", "00/448754A", True),  # stray spaces, lower case
        ("2000/0448754A", "00/0448754A", True),  # serial compared as a number
        ("2000/0448754A", "00/448754B", False),  # another check letter
        ("1900/0448754A", "00/448754A", True),  # only the two-digit year is compared
        ("2001/0448754A", "00/448754A", False),
    ],
)
def test_pnc_ids_are_the_same_when_year_serial_and_check_letter_agree(tmp_path, cms_pnc, connect_pnc, same):
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/17/0000001", "01/02/2017 10:00")],
        CMS_NOMINALS=[nominal("CM/17/0000001", "400001", cms_pnc)],
        CMS_CHARGES=[cms_charge("CM/17/0000001", "400001", day="10/02/2017")],
        connect_crimes=[connect_crime("00000002/17")],
        connect_persons=[person("00000002/17", "PERD0000001", pnc=connect_pnc)],
        connect_charges=[connect_charge("00000002/17", "PERD0000001")],
    )
    assert charged(tmp_path)["section_15"] == (1 if same else 2)


def migrated_crime_with_charge(directory, cms_copies: int = 1):
    """A crime migrated with its charge: the charge in CMS (`cms_copies` times) and copied to Connect."""
    cms, connect = migrated("CM/17/0000001", "00000001/17", "2017-06-01T09:30:00")
    write_extract(
        directory,
        CMS_CRIMES=[cms],
        connect_crimes=[connect],
        CMS_NOMINALS=[nominal("CM/17/0000001", "400001")],
        connect_persons=[person("00000001/17", "PER7400001", legacy="400001")],
        CMS_CHARGES=[cms_charge("CM/17/0000001", "400001", day="10/07/2017")] * cms_copies,
        connect_charges=[connect_charge("00000001/17", "PER7400001", day="2017-07-10")],
    )


def test_a_charge_copied_into_connect_at_migration_is_counted_once(tmp_path):
    migrated_crime_with_charge(tmp_path)
    extract = load_extracts(tmp_path)
    assert len(extract.charges) == 1
    assert extract.data_quality["charges_copied_across_systems"] == 1
    assert charged(tmp_path)["section_15"] == 1


def test_a_charge_counts_whatever_the_crimes_class_or_recorded_date(tmp_path):
    # principal crime rule: recorded as s15A (071/17) in 2014, charged with s15 in 2017
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/14/0000001", "01/02/2014 10:00", **{"HO CLASS": "071/17"})],
        CMS_NOMINALS=[nominal("CM/14/0000001", "400001")],
        CMS_CHARGES=[cms_charge("CM/14/0000001", "400001", day="10/02/2017")],
    )
    assert charged(tmp_path)["section_15"] == 1


def test_the_charge_date_decides_the_year(tmp_path):
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/16/0000001")],
        CMS_NOMINALS=[nominal("CM/16/0000001", "400001"), nominal("CM/16/0000001", "400002"), nominal("CM/16/0000001", "400003")],
        CMS_CHARGES=[
            cms_charge("CM/16/0000001", "400001", day="31/12/2016"),
            cms_charge("CM/16/0000001", "400002", day="01/01/2017"),
            cms_charge("CM/16/0000001", "400003", day="01/01/2018"),
        ],
    )
    assert charged(tmp_path)["section_15"] == 1


def test_a_person_charged_with_both_the_offence_and_the_attempt_counts_once_in_either(tmp_path):
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/17/0000001", "01/02/2017 10:00")],
        CMS_NOMINALS=[nominal("CM/17/0000001", "400001"), nominal("CM/17/0000001", "400002")],
        CMS_CHARGES=[
            cms_charge("CM/17/0000001", "400001", "SX03225"),
            cms_charge("CM/17/0000001", "400001", "SX03225A"),
            cms_charge("CM/17/0000001", "400002", "SX03226A"),
        ],
    )
    assert charged(tmp_path) == {"year": 2017, "section_15": 1, "attempt_section_15": 2, "either": 2}


@pytest.mark.parametrize("code", ["SX03225B", "SX03225C", "SX03226E", "SX03224", "SX03047", "TH68001"])
def test_aiding_conspiracy_encouraging_and_other_offences_are_in_neither_question(tmp_path, code):
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/17/0000001", "01/02/2017 10:00")],
        CMS_NOMINALS=[nominal("CM/17/0000001", "400001")],
        CMS_CHARGES=[cms_charge("CM/17/0000001", "400001", code)],
    )
    assert charged(tmp_path)["either"] == 0


def test_every_older_code_for_s15_counts(tmp_path):
    Q1 = ["SX03225", "SX03226", "SX03210", "SX03211", "SX03048", "SX03049"]  # of 20180075.yaml
    Q2 = [code + "A" for code in Q1]
    rows = [cms_charge("CM/17/0000001", f"40000{i}", code) for i, code in enumerate(Q1 + Q2)]
    write_extract(
        tmp_path,
        CMS_CRIMES=[cms_crime("CM/17/0000001", "01/02/2017 10:00")],
        CMS_NOMINALS=[nominal("CM/17/0000001", row["NOMINAL NO"]) for row in rows],
        CMS_CHARGES=rows,
    )
    assert charged(tmp_path) == {"year": 2017, "section_15": 6, "attempt_section_15": 6, "either": 12}


def test_two_rows_of_one_charge_in_one_file_are_two_counts_and_a_copy_matches_one(tmp_path):
    """One row per charge (the data contract): two rows alike in CMS are two counts of one
    offence on one day; Connect's one copy is the first count's."""
    migrated_crime_with_charge(tmp_path, cms_copies=2)
    extract = load_extracts(tmp_path)
    quality = extract.data_quality
    assert (quality["charges_copied_across_systems"], quality["charges_repeated_within_a_file"]) == (1, 0)
    assert sorted(extract.charges["count_no"]) == [0, 1] and charged(tmp_path)["section_15"] == 1


def test_the_hunter_group_people_are_those_charged_in_the_year_on_a_counted_crime(tmp_path):
    """Charged on a hunter-group crime in 2017 under a request code: counted, whatever the crime's
    class; another code on that crime, another year, or a crime whose mention is negated: not."""
    from helpers.project import project_root
    from helpers.request import steps
    from helpers.request.parameters import read_parameters

    hunter = "Chat logs supplied by Predator Patrol after the sting."
    negated = "Enquiries found no paedophile hunter involvement."
    write_extract(
        tmp_path / "x",
        CMS_CRIMES=[
            cms_crime("CM/17/0000001", "01/02/2017 10:00", CIRCUMSTANCES=hunter),
            cms_crime("CM/14/0000002", "01/02/2014 10:00", CIRCUMSTANCES=hunter, **{"HO CLASS": "071/17"}),
            cms_crime("CM/17/0000003", "01/03/2017 10:00", CIRCUMSTANCES=negated),
            cms_crime("CM/17/0000004", "01/04/2017 10:00", CIRCUMSTANCES="Parents reported messages."),
        ],
        CMS_NOMINALS=[nominal(crime, number) for crime, number in [("CM/17/0000001", "400001"), ("CM/14/0000002", "400002"), ("CM/17/0000003", "400003"), ("CM/17/0000001", "400004"), ("CM/17/0000004", "400004"), ("CM/17/0000001", "400005")]],
        CMS_CHARGES=[
            cms_charge("CM/17/0000001", "400001", "SX03225A"),  # counted
            cms_charge("CM/14/0000002", "400002", "SX03226"),  # counted: another class, older crime
            cms_charge("CM/17/0000003", "400003", "SX03225"),  # negated mention: not
            cms_charge("CM/17/0000001", "400004", "SX03224"),  # s15A on the hunter crime ...
            cms_charge("CM/17/0000004", "400004", "SX03225"),  # ... s15 elsewhere: not
            cms_charge("CM/17/0000001", "400005", "SX03225", day="01/01/2018"),  # another year: not
        ],
    )
    params = read_parameters(project_root() / "parameters" / "20180075.yaml", {"extracts_dir": str(tmp_path / "x"), "output_dir": str(tmp_path / "out"), "period_from": "2014-01-01"})
    extract = steps.load(params)
    (people,) = [answer for answer in steps.answer(params, extract) if answer.name == "people_charged"]
    of_whom = ("of whom charged on hunter-group evidence", "People charged in 2017")
    assert sorted(people.units[of_whom]) == ["person:CMS:400001", "person:CMS:400002"]
