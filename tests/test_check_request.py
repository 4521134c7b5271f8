"""`foi-briefing check` reads a request as a whole: a misspelt key gets the key it is closest to, a
date written day first gets its year-month-day form, and where the request's own words disagree
with what it counts (a year named but not counted, a `received` date after the extracts were
taken or still to come) it warns, or fails with `--fail-on-warnings` (exit 2).

Each warning rule fires on a planted mistake and stays quiet on request 20180075 (whose title and
questions name 2017, the Sexual Offences Act 2003 and the Criminal Attempts Act 1981).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers.project import project_root
from helpers.request.parameters import ParameterError, RequestParameters, read_parameters
from helpers.yaml_input import date_hint, did_you_mean, known_keys, one_line

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"


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


def refused(path: Path) -> str:
    with pytest.raises(ParameterError) as caught:
        read_parameters(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


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
    assert refused(planted(tmp_path, **changes)).startswith(expected)


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
