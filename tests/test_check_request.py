"""`foi-briefing check` reads a request as a whole: a misspelt key gets the key it is closest to, a
date written day first gets its year-month-day form, and where the request's own words disagree
with what it counts (a year named but not counted, a `received` date after the extracts were
taken or still to come) it warns, or fails with `--fail-on-warnings` (exit 2).

Each warning rule fires on a planted mistake and stays quiet on request 20180075 (whose title and
questions name 2017, the Sexual Offences Act 2003 and the Criminal Attempts Act 1981).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers.errors import EXIT_CODES
from helpers.project import project_root
from helpers.request.checks import (
    RULES,
    Request,
    RequestWarning,
    as_of_after_extracts_taken,
    question_with_no_table,
    received_after_extracts_taken,
    received_in_the_future,
    request_warnings,
    year_not_counted,
    years_counted,
    years_named,
    years_text,
)
from helpers.request.parameters import ParameterError, RequestParameters, read_parameters
from helpers.run.cli import main
from helpers.yaml_input import date_hint, did_you_mean, known_keys, one_line

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"
TODAY = date(2018, 12, 5)


def planted(tmp_path: Path, **changes) -> Path:
    """Request 20180075's file with some keys changed (`...` deletes a key)."""
    values = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is ...:
            del values[key]
        else:
            values[key] = value
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def params_with(tmp_path: Path, **changes) -> RequestParameters:
    return read_parameters(planted(tmp_path, **changes))


def refused(path: Path) -> str:
    with pytest.raises(ParameterError) as caught:
        read_parameters(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


# ---- 20180075 is warning-free


@pytest.mark.parametrize("today", [TODAY, date.today()], ids=["2018-12-05", "today"])
def test_20180075_has_no_warnings(today):
    assert request_warnings(read_parameters(PARAMS), today) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_each_rule_is_quiet_on_20180075(rule):
    assert rule(Request(read_parameters(PARAMS), TODAY)) == []


# ---- a year named but not counted


def test_the_years_counted_are_the_period_s_and_the_charge_year(tmp_path):
    assert years_counted(read_parameters(PARAMS)) == {2015, 2016, 2017}
    params = params_with(tmp_path, period_from="2012-03-01", period_to="2013-02-28", charge_year=2017)
    assert years_counted(params) == {2012, 2013, 2017}


def test_a_year_in_the_title_that_is_not_counted_is_a_warning(tmp_path):
    params = params_with(tmp_path, title="People charged with meeting a child following sexual grooming, 2018")
    assert year_not_counted(Request(params, TODAY)) == [
        RequestWarning(
            "title",
            "names 2018, a year the request does not count (it counts 2015 to 2017): check the words and the period",
        )
    ]


def test_a_year_in_a_question_that_is_not_counted_names_the_question(tmp_path):
    questions = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))["questions"]
    questions[1] = questions[1].replace("in 2017", "in 2014")
    warnings = year_not_counted(Request(params_with(tmp_path, questions=questions), TODAY))
    assert [(warning.key, warning.message.split(",")[0]) for warning in warnings] == [("questions.1", "names 2014")]


def test_a_grammar_request_counts_its_measures_years_and_reads_its_tables_titles():
    from helpers.project import project_root

    example = project_root() / "parameters" / "examples" / "damage-to-dwellings.yaml"
    params = read_parameters(example)
    assert years_counted(params) == {2016, 2017, 2018}
    assert year_not_counted(Request(params, TODAY)) == []
    tables = [table.model_dump(by_alias=True) for table in params.tables]
    tables[0]["title"] = "Offences of criminal damage to a dwelling recorded, by year, 2012 to 2018"
    warnings = year_not_counted(Request(read_parameters(example, {"tables": tables}), TODAY))
    assert [(warning.key, warning.message.split(",")[0]) for warning in warnings] == [("tables.0.title", "names 2012")]


def test_the_charge_year_is_counted_though_outside_the_period(tmp_path):
    params = params_with(tmp_path, period_from="2015-01-01", period_to="2016-12-31", charge_year=2017)
    assert year_not_counted(Request(params, TODAY)) == []


@pytest.mark.parametrize(
    "text",
    [
        "section 15 of the Sexual Offences Act 2003",
        "section 1(1) of the Criminal Attempts Act 1981",
        "the Sexual Offences (Amendment) Act 2000 and the Protection of Children Act, 1978",
        "s15 SOA 2003 or s1(1) CAA 1981, asked under the FOIA 2000",
        "the Sexual Offences Act 2003 (Commencement) Order 2004 and the Regulations 2015",
    ],
)
def test_a_year_in_a_statute_s_name_is_not_a_period(text):
    assert years_named(text) == []


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("How many people did the force charge in 2017 under the Sexual Offences Act 2003?", [2017]),
        ("from 2015 to 2017, and 2015 again", [2015, 2017]),
        ("between 2015-2019", [2015, 2019]),
        ("since 05/12/2014", [2014]),
        ("in 2017/18", [2017]),
        ("codes SX03225 and 12019, 3 people", []),
    ],
)
def test_the_years_a_text_names(text, years):
    assert years_named(text) == years


def test_years_are_listed_as_a_person_lists_them():
    assert years_text({2017}) == "2017"
    assert years_text({2015, 2016, 2017}) == "2015 to 2017"
    assert years_text({2015, 2016, 2017, 2019, 2021, 2022}) == "2015 to 2017, 2019 and 2021 to 2022"


# ---- the received date


def test_a_received_date_after_the_extracts_were_taken_is_a_warning(tmp_path):
    params = params_with(tmp_path, received="2019-02-01")
    assert received_after_extracts_taken(Request(params, date(2020, 1, 1))) == [
        RequestWarning(
            "received",
            "2019-02-01 is after the extracts were taken (extracts_taken_on: 2019-01-01): "
            "are they the extracts for this request?",
        )
    ]
    assert received_in_the_future(Request(params, date(2020, 1, 1))) == []


def test_a_received_date_in_the_future_is_a_warning(tmp_path):
    params = params_with(tmp_path, received="2018-12-06")
    assert received_in_the_future(Request(params, TODAY)) == [
        RequestWarning("received", "2018-12-06 is in the future (today is 2018-12-05)")
    ]
    assert received_after_extracts_taken(Request(params, TODAY)) == []  # 2019-01-01's extracts


def test_no_received_date_is_no_warning(tmp_path):
    params = params_with(tmp_path, received=...)
    assert received_after_extracts_taken(Request(params, TODAY)) == received_in_the_future(Request(params, TODAY)) == []


def test_a_reference_date_after_the_extracts_were_taken_is_a_warning(tmp_path):
    params = params_with(tmp_path, as_of="2019-03-01")
    assert as_of_after_extracts_taken(Request(params, TODAY)) == [
        RequestWarning(
            "as_of",
            "2019-03-01 is after the extracts were taken (extracts_taken_on: 2019-01-01): "
            "are they the extracts for this request?",
        )
    ]
    assert as_of_after_extracts_taken(Request(params_with(tmp_path, as_of="2019-01-01"), TODAY)) == []


def test_a_question_no_table_answers_is_a_warning():
    example = project_root() / "parameters" / "examples" / "damage-to-dwellings.yaml"
    params = read_parameters(example)
    assert question_with_no_table(Request(params, TODAY)) == []
    asked = read_parameters(example, {"questions": [*params.questions, "And how many were solved?"]})
    number = len(asked.questions)
    assert question_with_no_table(Request(asked, TODAY)) == [
        RequestWarning(
            f"questions.{number - 1}",
            f"no table answers it (no table has question: {number}): add one, or leave the question out",
        )
    ]


def test_the_rules_run_in_order_and_each_warning_names_its_key(tmp_path):
    params = params_with(tmp_path, title="Charged in 2012", received=str(date.today() + timedelta(days=3)))
    assert [warning.key for warning in request_warnings(params)] == ["title", "received", "received"]


# ---- errors: a misspelt key, a date written day first


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"charge_group": {}}, "request.yaml: charge_group: unknown key: did you mean charge_groups?"),
        ({"titel": "x", "title": ...}, "request.yaml: titel: unknown key: did you mean title?"),
        ({"recieved": "2018-02-05"}, "request.yaml: recieved: unknown key: did you mean received?"),
        (
            {"charge_groups": {"s15": {"lable": "x", "codes": ["SX03225"]}}},
            "request.yaml: charge_groups.s15.lable: unknown key: did you mean label?",
        ),
        ({"colour": "blue"}, "request.yaml: colour: unknown key (is it misspelt?)"),  # nothing close
    ],
)
def test_an_unknown_key_says_which_known_key_it_is_closest_to(tmp_path, changes, expected):
    assert refused(planted(tmp_path, **changes)) == expected


def test_the_problems_besides_are_counted_but_not_the_key_a_misspelling_was_meant_to_be(tmp_path):
    path = planted(tmp_path, titel="x", title=..., charge_year="last year")
    assert refused(path) == "request.yaml: titel: unknown key: did you mean title? (and 1 more problem)"


@pytest.mark.skipif("tables" not in RequestParameters.model_fields, reason="the request grammar's tables key")
def test_tabels_is_tables(tmp_path):
    assert refused(planted(tmp_path, tabels=[])).startswith("request.yaml: tabels: unknown key: did you mean tables?")


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: date = Field(alias="from")
    to: date


class LastYears(BaseModel):
    model_config = ConfigDict(extra="forbid")
    last_years: int


class Measure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: str
    period: Period | LastYears | None = None


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    measure: str


class Grammar(BaseModel):
    """A schema of the request grammar's shape: a dict of models, a list of models, a union."""

    model_config = ConfigDict(extra="forbid")
    measures: dict[str, Measure] = {}
    tables: list[Table] = []


def grammar_error(values: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        Grammar.model_validate(values)
    return one_line(caught.value, Grammar)


def test_known_keys_are_found_at_every_level_of_a_schema():
    assert known_keys(Grammar, ()) == {"measures", "tables"}
    assert known_keys(Grammar, ("measures",)) == set()  # a name of the user's own
    assert known_keys(Grammar, ("measures", "damage")) == {"count", "period"}
    assert known_keys(Grammar, ("tables", 3)) == {"name", "measure"}
    assert known_keys(Grammar, ("measures", "damage", "period", "Period")) == {"from", "to"}
    assert known_keys(Grammar, ("measures", "damage", "period")) == {"from", "to", "last_years"}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"tabels": []}, "tabels: unknown key: did you mean tables?"),
        ({"tables": [{"name": "a", "measure": "m"}, {"name": "b", "meausre": "m"}]}, "tables.1.meausre: unknown key: did you mean measure?"),
        ({"measures": {"damage": {"cuont": "offences"}}}, "measures.damage.cuont: unknown key: did you mean count?"),
        # pydantic's name for the union's member (Period) is not a key the user wrote
        ({"measures": {"damage": {"count": "x", "period": {"form": "2018-01-01", "to": "2018-02-01"}}}}, "measures.damage.period.form: unknown key: did you mean from?"),
        ({"measures": {"damage": {"count": "x", "period": {"from": "05/12/2018", "to": "2018-12-31"}}}}, "measures.damage.period.from: not a date as YAML writes one (got '05/12/2018'): write 2018-12-05"),
    ],
)
def test_a_misspelt_key_or_date_is_told_at_any_depth(values, expected):
    assert grammar_error(values).startswith(expected)


def test_did_you_mean_ignores_what_is_no_misspelling():
    assert did_you_mean("charge_group", {"charge_groups", "charge_year"}) == "charge_groups"
    assert did_you_mean("colour", {"title", "questions"}) is None
    assert did_you_mean("x" * 10_000, {"title"}) is None
    assert did_you_mean(3, {"title"}) is None


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("05/12/2018", "write 2018-12-05"),
        ("5/12/18", "write 2018-12-05"),
        ("5.12.2018", "write 2018-12-05"),
        ("5 December 2018", "write 2018-12-05"),
        ("5th Dec 2018", "write 2018-12-05"),
        ("December 5, 2018", "write 2018-12-05"),
        ("2018/12/05", "write 2018-12-05"),
        ("2018-12-5", "write 2018-12-05"),
        ("31/02/2018", "no such day: write dates year-month-day, as 2018-12-05"),
        ("2015-02-30", None),  # year-month-day already: pydantic says what is wrong
        ("last Tuesday", None),
        ("5 Smarch 2018", None),
    ],
)
def test_a_date_a_person_writes_gets_its_year_month_day_form(written, hint):
    assert date_hint(written) == hint


@pytest.mark.parametrize("written", ["05/12/2018", "5/12/18", "5 December 2018"])
def test_a_day_first_date_in_the_file_is_one_line_with_its_iso_form(tmp_path, written):
    text = PARAMS.read_text(encoding="utf-8").replace("received: 2018-02-05", f"received: {written}")
    path = tmp_path / "request.yaml"
    path.write_text(text, encoding="utf-8")
    assert refused(path) == f"request.yaml: received: not a date as YAML writes one (got {written!r}): write 2018-12-05"


# ---- the command: warnings on stderr, exit 2 with --fail-on-warnings


def test_check_of_a_request_without_warnings_exits_0_with_or_without_the_flag(capsys):
    assert main(["check", str(PARAMS)]) == 0
    assert main(["check", str(PARAMS), "--fail-on-warnings"]) == 0
    out, err = capsys.readouterr()
    assert out == f"{PARAMS}: ok (request 20180075, profile cms-connect.yaml)\n" * 2
    assert err == ""


def test_check_warns_on_stderr_and_exits_0(tmp_path, capsys):
    path = planted(tmp_path, title="Charged in 2012")
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{path}: ok, with 1 warning (request 20180075, profile cms-connect.yaml)\n"
    assert err == f"{path}: warning: title: names 2012, a year the request does not count (it counts 2015 to 2017): check the words and the period\n"


def test_check_with_fail_on_warnings_exits_2_and_still_checks_every_file(tmp_path, capsys):
    bad = planted(tmp_path, title="Charged in 2012", received="2019-03-01")
    assert main(["check", str(bad), str(PARAMS), "--fail-on-warnings"]) == EXIT_CODES["parameters"] == 2
    out, err = capsys.readouterr()
    assert out == f"{PARAMS}: ok (request 20180075, profile cms-connect.yaml)\n"
    assert err.splitlines() == [
        f"{bad}: warning: title: names 2012, a year the request does not count (it counts 2015 to 2017): check the words and the period",
        f"{bad}: warning: received: 2019-03-01 is after the extracts were taken (extracts_taken_on: 2019-01-01): are they the extracts for this request?",
        f"{bad}: failed: 2 warnings and --fail-on-warnings",
    ]


def test_check_reads_the_folders_as_run_does(tmp_path, capsys):
    """`--extracts` stands in for a file's missing extracts_dir, as it does for `run`; an
    `--out` inside a release folder is refused naming `--out`."""
    bare = planted(tmp_path, extracts_dir=...)
    assert main(["check", str(bare)]) == 2
    assert "extracts_dir" in capsys.readouterr().err
    assert main(["check", str(bare), "--extracts", str(tmp_path)]) == 0
    (tmp_path / "release").mkdir()
    (tmp_path / "restricted").mkdir()
    assert main(["check", str(PARAMS), "--out", str(tmp_path / "release" / "x")]) == 2
    assert "foi-briefing: --out: " in capsys.readouterr().err


def test_the_command_s_exit_code_is_the_process_s(tmp_path):
    bad = planted(tmp_path, received="2019-03-01")
    check = [sys.executable, "-m", "helpers", "check", str(bad)]
    done = subprocess.run(check, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "warning: received:" in done.stderr, done.stderr
    done = subprocess.run([*check, "--fail-on-warnings"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.splitlines()[-1] == f"{bad}: failed: 1 warning and --fail-on-warnings"


def test_a_misspelt_key_stops_check_in_one_line_exit_2(tmp_path, capsys):
    assert main(["check", str(planted(tmp_path, charge_group={}))]) == 2
    assert capsys.readouterr().err == "foi-briefing: request.yaml: charge_group: unknown key: did you mean charge_groups?\n"


# ---- letters of another script that look Latin


def test_a_word_mixing_latin_letters_with_cyrillic_or_greek_ones_drawn_like_them_is_a_warning(tmp_path):
    """A search term "Snаpchat" typed (or pasted) with a Cyrillic а reads as Snapchat and
    finds nothing; a label "Тotal" is not the word it shows. Each is told with its key, the word
    with its letters escaped, and the letters' names; a word all of another script (Greek
    "αγωγή") or a Latin letter of another language (the Turkish ı of "Kırıkkale") is no warning."""
    from helpers.request.checks import look_alike_letters

    values = yaml.safe_load((project_root() / "parameters" / "examples" / "mentions-snapchat-dog.yaml").read_text(encoding="utf-8"))
    values["measures"]["snapchat"]["terms"] = ["Sn\u0430pchat"]
    values["tables"][0]["title"] = "\u0422otal crimes mentioning Snapchat, \u03b1\u03b3\u03c9\u03b3\u03ae, K\u0131r\u0131kkale"
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False), encoding="utf-8")
    warnings = look_alike_letters(Request(read_parameters(path), TODAY))
    assert warnings == [
        RequestWarning("measures.snapchat.terms.0", "'Sn\\u0430pchat' mixes Latin letters with CYRILLIC SMALL LETTER A, drawn like a Latin one: the word is not the one it shows (retype it)"),
        RequestWarning("tables.0.title", "'\\u0422otal' mixes Latin letters with CYRILLIC CAPITAL LETTER TE, drawn like a Latin one: the word is not the one it shows (retype it)"),
    ]
    assert look_alike_letters(Request(read_parameters(PARAMS), TODAY)) == []


def test_a_period_counted_back_from_the_extracts_date_not_the_received_date_is_a_warning(tmp_path):
    """Found by a new user: "the last three years" of a request received on 15 March 2018 counted
    2016 to 2018, back from the extracts' date, in silence (only a year in the title showed it)."""
    from helpers.request.checks import period_not_from_received

    values = yaml.safe_load((ROOT / "parameters" / "examples" / "sexual-offences-by-age.yaml").read_text())
    assert values.pop("as_of") == date(2019, 1, 1)  # the example says which
    example = tmp_path / "request.yaml"
    example.write_text(yaml.safe_dump(values, sort_keys=False))
    params = read_parameters(example, {"received": "2018-03-15"})
    (warning,) = period_not_from_received(Request(params, TODAY))
    assert warning.key == "as_of"
    assert warning.message == (
        "missing: measures.victims.period (and 2 more) reckoned from extracts_taken_on "
        "(2019-01-01) is 1 January 2016 to 31 December 2018; reckoned from received (2018-03-15), "
        "1 January 2015 to 31 December 2017: give as_of, the date the request's periods are "
        "reckoned from"
    )
    assert warning in request_warnings(params, TODAY)
    # as_of given, either date; received giving the same days; no received; no relative period
    for changes in [{"received": "2018-03-15", "as_of": "2019-01-01"}, {"received": "2018-03-15", "as_of": "2018-03-15"},
                    {"received": "2019-01-01"}]:
        assert period_not_from_received(Request(read_parameters(example, changes), TODAY)) == []
    del values["received"]
    example.write_text(yaml.safe_dump(values, sort_keys=False))
    assert period_not_from_received(Request(read_parameters(example), TODAY)) == []
    fixed = ROOT / "parameters" / "examples" / "charges-and-outcomes.yaml"  # from and to
    assert period_not_from_received(Request(read_parameters(fixed, {"as_of": None, "received": "2018-06-01"}), TODAY)) == []
