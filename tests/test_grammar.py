"""The request grammar's schema: measures, tables and their rules, each mistake one line naming
its key (`helpers.request.grammar`, through `request.parameters`)."""

import copy
from datetime import date

import pytest
import yaml

from helpers.project import project_root
from helpers.request.grammar import Period, resolve_period
from helpers.request.parameters import ParameterError, read_parameters, validate_parameters

PARAMS = project_root() / "parameters" / "20180075.yaml"

TABLES_ONLY = {
    "reference": "20190001",
    "title": "Criminal damage to dwellings",
    "questions": ["How many offences of criminal damage to a dwelling were recorded each year?", "And how many people were charged?"],
    "extracts_taken_on": "2019-01-01",
    "extracts_dir": "data/extracts",
    "class_groups": {"damage": {"label": "criminal damage to a dwelling", "classes": ["58/1"]}},
    "charge_groups": {"damage": {"label": "Criminal damage", "codes": ["CD71001"]}},
    "age_bands": [
        {"label": "Under 13", "to": 12},
        {"label": "13 to 15", "from": 13, "to": 15},
        {"label": "16 and 17", "from": 16, "to": 17},
        {"label": "18 and over", "from": 18},
    ],
    "measures": {
        "damage": {
            "count": "offences",
            "label": "offences of criminal damage to a dwelling",
            "classes": ["damage", "058/02"],
            "period": {"from": "2016-01-01", "to": "2018-12-05"},
        },
        "charged": {
            "count": "people_charged",
            "label": "people charged",
            "charge_codes": ["damage"],
            "period": {"last_years": 2},
        },
    },
    "tables": [
        {"name": "damage_by_year", "question": 1, "title": "Offences by year", "measure": "damage", "rows": "year"},
        {"name": "charged", "question": 2, "title": "People charged", "measure": "charged", "rows": "charge_group"},
    ],
}


#: TABLES_ONLY with a table by age: its bands must then hold every age
AGED = {**TABLES_ONLY, "tables": [*TABLES_ONLY["tables"], {"name": "by_age", "question": 1, "title": "By age", "measure": "damage", "rows": "victim_age"}]}


def test_a_period_from_a_day_alone_runs_to_the_requests_reference_date():
    """Found by a new user: "since 1 April 2017" could not be written ({from} alone was refused)."""
    params = validate_parameters(changed("measures.damage.period", {"from": "2017-04-01"}))
    assert resolve_period(params.measures["damage"].period, params.as_of_date) == (date(2017, 4, 1), date(2019, 1, 1))
    dated = validate_parameters({**changed("measures.damage.period", {"from": "2017-04-01"}), "as_of": "2018-12-05"})
    assert resolve_period(dated.measures["damage"].period, dated.as_of_date) == (date(2017, 4, 1), date(2018, 12, 5))


def test_age_bands_no_table_uses_may_leave_ages_out():
    """Found by a reviewer: bands from 10 (the age of criminal responsibility) with no age table
    were refused; only a table by age loses people to an age no band holds."""
    assert validate_parameters(changed("age_bands.0.from", 10)).age_bands[0].low == 10


def error_for(values: dict) -> str:
    with pytest.raises(ParameterError) as caught:
        validate_parameters(values)
    message = str(caught.value)
    assert "\n" not in message
    return message


def changed(path: str, value, base: dict = TABLES_ONLY) -> dict:
    """`base` (TABLES_ONLY) with the key at the dotted `path` set to `value` (`...` removes it)."""
    values = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = values
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is ...:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return values


def test_a_request_of_tables_only_is_valid_and_normalised():
    params = validate_parameters(TABLES_ONLY)
    assert not params.has_legacy
    assert params.class_groups["damage"].classes == ["058/01"]
    assert params.measures["damage"].by_date == "recorded" and params.measures["damage"].by_status == "live"
    assert params.measures["charged"].by_date == "charged"
    assert params.tables[0].charted and not params.tables[1].charted
    assert params.as_of_date == date(2019, 1, 1)
    with pytest.raises(ValueError):
        params.legacy  # noqa: B018 - a request without today's shape has no legacy view


def test_the_20180075_file_has_todays_shape_and_no_tables():
    params = read_parameters(PARAMS)
    assert params.has_legacy and params.tables == [] and params.measures == {}
    assert params.legacy.years == [2015, 2016, 2017]


def test_the_parameters_round_trip_as_the_notebook_gets_them():
    from helpers.request.parameters import notebook_parameters

    params = validate_parameters(TABLES_ONLY)
    dumped = notebook_parameters(params)
    assert dumped["measures"]["damage"]["period"] == {"from": "2016-01-01", "to": "2018-12-05", "last_years": None, "last_months": None, "year_to_date": None}
    assert dumped["age_bands"][0] == {"label": "Under 13", "from": None, "to": 12}
    assert validate_parameters(dumped) == params


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (changed("tables", ...), "parameters: tables: missing (a request needs tables, or the keys of today's request"),
        ({**TABLES_ONLY, "period_from": "2016-01-01"}, "parameters: period_to: missing (required with period_from"),
        ({**TABLES_ONLY, "search_terms": ["dog"]}, "parameters: period_from: missing (required with search_terms"),
        (changed("tables.0.measure", "damages"), "parameters: tables.0.measure: 'damages' is not a measure (measures: damage, charged)"),
        (changed("tables.0.question", 3), "parameters: tables.0.question: 3 is not a question of the request (it has 2)"),
        (changed("tables.0.question", 0), "parameters: tables.0.question: Input should be greater than or equal to 1"),
        (changed("tables.0.rows", "charge_group"), "parameters: tables.0.rows: a count of offences cannot be broken down by charge_group"),
        (changed("tables.0.rows", "week"), "parameters: tables.0.rows: Input should be 'year', 'financial_year'"),
        (changed("tables.0.columns", "year"), "parameters: tables.0: rows and columns are both year"),
        (changed("tables.1.name", "damage_by_year"), "parameters: tables.1.name: 'damage_by_year' is another table's name too"),
        (changed("tables.1.name", "data_quality_files"), "parameters: tables.1.name: 'data_quality_files' is the name of a table every release has"),
        (changed("tables.1.name", "Charged!"), "parameters: tables.1.name: must be 1 to 40 lower-case letters"),
        (changed("tables.0.colour", "red"), "parameters: tables.0.colour: unknown key: did you mean columns?"),
        (changed("measures.damage.classes", ["damages"]), "parameters: measures.damage.classes: 'damages' is neither a class such as 058/01 nor a name in class_groups"),
        (changed("measures.damage.count", "arrests"), "parameters: measures.damage.count: Input should be 'offences'"),
        (changed("measures.damage.date", "charged"), "parameters: measures.damage: date: a count of offences is by recorded or committed, not charged"),
        (changed("measures.charged.charge_codes", ...), "parameters: measures.charged: charge_codes: a count of people_charged needs the codes it counts, or classes (every charge on a crime of them)"),
        ({**changed("measures.charged.charge_codes", ...), "measures": {**TABLES_ONLY["measures"], "charged": {k: v for k, v in TABLES_ONLY["measures"]["charged"].items() if k != "charge_codes"} | {"classes": ["damage"]}}},
         "parameters: tables.1.rows: by charge_group, measure charged names no charge groups (it counts every charge on a crime of its classes)"),
        (changed("measures.charged.charge_codes", ["damage", "CD71002"]), "parameters: tables.1.rows: by charge_group, measure charged's charge_codes must all be names in charge_groups ('CD71002' is not)"),
        (changed("measures.damage.terms", ["  "]), "parameters: measures.damage.terms: a search term is empty"),
        (changed("measures.damage.exclude_terms", ["snapchat filter"]), "parameters: measures.damage: exclude_terms: there are no terms to exclude phrases of"),
        (changed("measures.damage.period", {"to": "2016-01-01"}), "parameters: measures.damage.period: a period needs from (with to, or alone for one up to the request's as_of)"),
        ({**changed("measures.damage.period", {"from": "2018-06-01"}), "as_of": "2018-01-01"}, "parameters: measures.damage.period: from 2018-06-01 is after the day it runs to, the request's as_of (2018-01-01)"),
        (changed("measures.damage.period", {"from": "2016-01-01", "to": "2015-01-01"}), "parameters: measures.damage.period: to (2015-01-01) is before from (2016-01-01)"),
        (changed("measures.damage.period", {"last_years": 3, "year_to_date": True}), "parameters: measures.damage.period: give one of {from, to}"),
        (changed("measures.damage.period", {"from": "2016-01-01", "to": "2019-01-02"}), "parameters: measures.damage.period: it ends on 2019-01-02, after the extracts were taken (2019-01-01)"),
        ({**TABLES_ONLY, "as_of": "2019-03-01", "measures": {**TABLES_ONLY["measures"], "damage": {**TABLES_ONLY["measures"]["damage"], "period": {"year_to_date": True}}}}, "parameters: measures.damage.period: it ends on 2019-03-01, after the extracts were taken"),
        (changed("measures.damage.period", {"from": "01/01/2016", "to": "2018-12-05"}), "parameters: measures.damage.period.from: not a date as YAML writes one (got '01/01/2016'): write 2016-01-01"),
        (changed("age_bands.1.from", 14), "parameters: age_bands.1: from 14 does not follow the band before, which ends at 12"),
        (changed("age_bands.2.from", ...), "parameters: age_bands.2: from is missing (only the first band may leave it out)"),
        (changed("age_bands.1.to", ...), "parameters: age_bands.1: to is missing (only the last band may leave it out)"),
        (changed("age_bands.1.to", 12), "parameters: age_bands.1: to (12) is below from (13)"),
        (changed("age_bands.3.label", "Under 13"), "parameters: age_bands: the label 'Under 13' is taken"),
        # an age no band holds would drop its people out of the table and its Total, unseen
        (changed("age_bands.0.from", 5, AGED), "parameters: age_bands.0: from 5 leaves anyone younger out of every band: start the first band at 0, or leave out from"),
        (changed("age_bands.3.to", 80, AGED), "parameters: age_bands.3: to 80 leaves anyone older out of every band: leave out to in the last band (\"18 and over\")"),
        ({**changed("tables.0.rows", "victim_age"), "age_bands": []}, "parameters: tables.0.rows: by victim_age, the request needs age_bands (its rows are the bands)"),
        ({**changed("tables.0.columns", "suspect_age"), "age_bands": []}, "parameters: tables.0.columns: by suspect_age, the request needs age_bands"),
        ({**TABLES_ONLY, "outcome_groups": {"Charged": [1], "Out of court": [1, 2]}}, "parameters: outcome_groups.Out of court: outcome 1 is in 'Charged' too"),
        ({**TABLES_ONLY, "outcome_groups": {"Charged": [23]}}, "parameters: outcome_groups.Charged: 23 is not a Home Office outcome type (1-22)"),
        ({**TABLES_ONLY, "outcome_groups": {"Other outcomes": [1]}}, "parameters: outcome_groups.Other outcomes: the label is a row the table adds itself"),
        (changed("measures.damage.search", "dogs"), "parameters: measures.damage.search: 'dogs' is not a search (searches: none)"),
        ({**changed("measures.damage.search", "dogs"), "searches": {"dog": {"terms": ["dog"]}}}, "parameters: measures.damage.search: 'dogs' is not a search (searches: dog)"),
        ({**changed("measures.damage.search", "dog"), "searches": {"dog": {"terms": ["dog"]}, "cat": {"terms": ["cat"]}}}, "parameters: searches.cat: no measure or table uses it (a measure names it: search: cat)"),
        ({**changed("measures.damage.search", "damage"), "searches": {"damage": {"terms": ["dog"]}}}, "parameters: searches.damage: 'damage' is a measure's name too: give the search another"),
        ({**changed("measures.damage.search", "dog"), "searches": {"dog": {"terms": []}}}, "parameters: searches.dog.terms: List should have at least 1 item"),
        ({**changed("measures.damage.search", "dog"), "searches": {"dog": {"terms": ["dog"], "exclude": ["hot dog"]}}}, "parameters: searches.dog.exclude: unknown key: did you mean exclude_terms?"),
        ({**changed("measures.damage.search", "dog"), "searches": {"Dog!": {"terms": ["dog"]}, "dog": {"terms": ["dog"]}}}, "parameters: searches.Dog!: a search's name is 1 to 40 lower-case letters"),
        ({**changed("measures.damage.terms", ["dog"]), "measures": {**TABLES_ONLY["measures"], "damage": {**TABLES_ONLY["measures"]["damage"], "terms": ["dog"], "search": "dog"}}, "searches": {"dog": {"terms": ["dog"]}}}, "parameters: measures.damage: search: give the measure terms or a search of `searches`, not both"),
        (changed("measures.charged.search", "dog"), "parameters: measures.charged.search: 'dog' is not a search (searches: none)"),
        ({**changed("measures.damage.search", "dog"), "searches": {"dog": {"terms": ["dog"]}}, "measures": {**TABLES_ONLY["measures"], "damage": {**TABLES_ONLY["measures"]["damage"], "search": "dog"}, "Dog": {**TABLES_ONLY["measures"]["damage"], "terms": ["cat"]}}}, "parameters: measures.Dog: its search's name differs from the search 'dog' only in capitals (their worklists would be one file): give it another"),
        ({**TABLES_ONLY, "measures": {"../../tmp/x": TABLES_ONLY["measures"]["damage"], "charged": TABLES_ONLY["measures"]["charged"]}, "tables": [{**TABLES_ONLY["tables"][0], "measure": "../../tmp/x"}, TABLES_ONLY["tables"][1]]}, "parameters: measures.../../tmp/x: a measure's name is 1 to 40 letters, digits or underscores"),
    ],
)
def test_each_mistake_in_the_grammar_is_one_line_naming_the_key(values, expected):
    assert error_for(values).startswith(expected)


#: TABLES_ONLY with a search that splits the first table's rows and adds an `of_whom` row to
#: the second's
SPLIT = {
    **TABLES_ONLY,
    "searches": {"dog": {"terms": ["dog"], "found_label": "A dog", "not_found_label": "No dog"}},
    "tables": [
        {**TABLES_ONLY["tables"][0], "rows": "search", "search": "dog", "columns": "year"},
        {**TABLES_ONLY["tables"][1], "of_whom": {"search": "dog", "label": "of whom on a crime with a dog"},
         "total_label": "Either", "heading": "People charged", "corner": "Offence"},
    ],
}


def split(path: str, value) -> dict:
    """SPLIT with the key at the dotted `path` set to `value` (`...` removes it)."""
    return changed(path, value, SPLIT)


def test_a_search_used_by_tables_only_is_a_search_of_the_request():
    params = validate_parameters(SPLIT)
    assert params.tables[0].search == "dog" and params.tables[1].of_whom.label == "of whom on a crime with a dog"
    # its decisions are kept under a question of its own, unless it names one
    assert params.searches["dog"].review_question("dog") == f"search_dog_{params.searches['dog'].digest}"
    named = validate_parameters(split("searches.dog.question", "hunter_group"))
    assert named.searches["dog"].review_question("dog") == "hunter_group"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (split("tables.0.search", ...), "parameters: tables.0: search: a table broken down by search names the search"),
        (split("tables.0.rows", "year") | {}, "parameters: tables.0: rows and columns are both year"),
        (split("tables.0.columns", ...) | {"tables": [{**split("tables.0.columns", ...)["tables"][0], "rows": "year"}, SPLIT["tables"][1]]},
         "parameters: tables.0: search: only a table broken down by search (rows: search) names one"),
        (split("tables.0.search", "cat"), "parameters: tables.0.search: 'cat' is not a search (searches: dog)"),
        (split("tables.1.of_whom.search", "cat"), "parameters: tables.1.of_whom.search: 'cat' is not a search (searches: dog)"),
        (split("tables.1.of_whom.label", ...), "parameters: tables.1.of_whom.label: missing"),
        (split("tables.1.of_whom.colour", "red"), "parameters: tables.1.of_whom.colour: unknown key"),
        (split("tables.1.total_label", "of whom on a crime with a dog"), "parameters: tables.1: two of its rows would be labelled 'of whom on a crime with a dog'"),
        (split("tables.0.heading", "Offences"), "parameters: tables.0: heading: a table with a columns breakdown has a heading per column"),
        (split("tables.1.rows", ...), "parameters: tables.1: total_label: a table with no rows breakdown has no Total row"),
        (split("searches.dog.not_found_label", "A dog"), "parameters: searches.dog: found_label and not_found_label are the same"),
        (split("searches.dog.not_found_label", "A DOG"), "parameters: searches.dog: found_label and not_found_label are the same"),
        (split("searches.dog.found_label", "Total"), "parameters: searches.dog.found_label: a label that reads as Total is the table's own row"),
        (split("searches.dog.question", "hunter group"), "parameters: searches.dog.question: String should match pattern"),
        (split("searches.cat", {"terms": ["cat"], "question": "dog_review"}) | {"measures": {**TABLES_ONLY["measures"], "damage": {**TABLES_ONLY["measures"]["damage"], "search": "cat"}}} | {"searches": {"dog": {**SPLIT["searches"]["dog"], "question": "dog_review"}, "cat": {"terms": ["cat"], "question": "dog_review"}}},
         "parameters: searches.cat.question: the search 'dog' keeps its decisions under 'dog_review' too"),
        (split("tables.0.measure", "damage") | {"measures": {**TABLES_ONLY["measures"], "damage": {**TABLES_ONLY["measures"]["damage"], "search": "dog"}}},
         "parameters: tables.0.search: measure damage counts only what 'dog' counts already"),
        (split("tables.1.hide_empty_rows", True) | {"tables": [SPLIT["tables"][0], {**SPLIT["tables"][1], "rows": None, "total_label": None, "hide_empty_rows": True}]},
         "parameters: tables.1: hide_empty_rows: a table with no rows breakdown has one row"),
        (split("tables.1.cut_labels", False), "parameters: tables.1: cut_labels: only a table broken down by a time has time labels"),
    ],
)
def test_each_mistake_in_a_tables_search_is_one_line_naming_the_key(values, expected):
    assert error_for(values).startswith(expected)


REVIEWED = {**SPLIT, "tables": [*SPLIT["tables"], {"name": "dog_review", "question": 1, "title": "The search", "review": "dog"}]}


def reviewed(index: int, **keys) -> dict:
    """REVIEWED with its table `index` given `keys` (None removes one)."""
    values = copy.deepcopy(REVIEWED)
    table = values["tables"][index]
    for key, value in keys.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    return values


def test_a_table_of_a_searchs_review_names_the_search():
    params = validate_parameters(REVIEWED)
    assert params.tables[2].review == "dog" and params.tables[2].measure is None and not params.tables[2].charted
    # a measure's own terms are a search too
    own = copy.deepcopy(TABLES_ONLY)
    own["measures"]["damage"]["terms"] = ["dog"]
    own["tables"].append({"name": "damage_review", "question": 1, "title": "The search", "review": "damage"})
    assert validate_parameters(own).tables[2].review == "damage"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (reviewed(2, measure="damage"), "parameters: tables.2: give the table a measure, or a search to review (review: NAME)"),
        (reviewed(2, review=None), "parameters: tables.2: give the table a measure, or a search to review"),
        (reviewed(2, rows="year"), "parameters: tables.2: rows: a table of a search's review has its own rows"),
        (reviewed(2, of_whom={"search": "dog", "label": "x"}), "parameters: tables.2: of_whom: a table of a search's review has its own rows"),
        (reviewed(2, chart=True), "parameters: tables.2: chart: a table of a search's review is not drawn"),
        (reviewed(2, review="cat"), "parameters: tables.2.review: 'cat' is not a search (a name in searches, or a measure with its own terms); searches: dog"),
        (reviewed(2, review="charged"), "parameters: tables.2.review: 'charged' is not a search"),
    ],
)
def test_each_mistake_in_a_review_table_is_one_line_naming_the_key(values, expected):
    assert error_for(values).startswith(expected)


def test_a_review_of_a_search_no_table_counts_is_refused():
    values = copy.deepcopy(TABLES_ONLY)
    values["measures"]["dogs"] = {**values["measures"]["damage"], "terms": ["dog"]}  # no table counts it
    values["tables"].append({"name": "dogs_review", "question": 1, "title": "The search", "review": "dogs"})
    assert error_for(values).startswith("parameters: tables.2.review: no table counts the crimes of 'dogs', so it searches nothing")


def test_a_grammar_table_takes_todays_names_only_in_a_request_without_todays_keys():
    assert validate_parameters(changed("tables.1.name", "people_charged")).tables[1].name == "people_charged"
    values = yaml.safe_load(PARAMS.read_text())
    values["measures"] = {"grooming": {"count": "offences", "label": "offences", "classes": ["088/01"], "period": {"last_years": 3}}}
    values["tables"] = [{"name": "offences_by_year", "question": 1, "title": "Offences", "measure": "grooming", "rows": "year"}]
    assert error_for(values).startswith("parameters: tables.0.name: 'offences_by_year' is the name of one of today's tables, which this request has")


def test_the_20180075_file_with_tables_added_is_valid(tmp_path):
    values = yaml.safe_load(PARAMS.read_text())
    values["measures"] = {"grooming": {"count": "offences", "label": "offences", "classes": ["088/01"], "period": {"last_years": 3}}}
    values["tables"] = [{"name": "grooming_by_month", "question": 1, "title": "Offences by month", "measure": "grooming", "rows": "month"}]
    params = validate_parameters(values)
    assert params.has_legacy and params.tables[0].name == "grooming_by_month"


@pytest.mark.parametrize(
    ("period", "as_of", "expected"),
    [
        ({"from": "2016-01-01", "to": "2018-12-05"}, date(2019, 1, 1), (date(2016, 1, 1), date(2018, 12, 5))),
        ({"year_to_date": True}, date(2018, 12, 5), (date(2018, 1, 1), date(2018, 12, 5))),
        ({"last_years": 3}, date(2019, 1, 1), (date(2016, 1, 1), date(2018, 12, 31))),
        ({"last_years": 3}, date(2018, 12, 31), (date(2015, 1, 1), date(2017, 12, 31))),
        ({"last_months": 36}, date(2018, 12, 5), (date(2015, 12, 1), date(2018, 11, 30))),
        ({"last_months": 1}, date(2019, 1, 1), (date(2018, 12, 1), date(2018, 12, 31))),
        ({"last_months": 2}, date(2019, 3, 31), (date(2019, 1, 1), date(2019, 2, 28))),
    ],
)
def test_a_period_resolves_to_its_days(period, as_of, expected):
    assert resolve_period(Period.model_validate(period), as_of) == expected


def test_the_years_a_request_of_tables_counts_are_its_measures_periods():
    from helpers.request.checks import years_counted

    # damage: 2016-01-01 to 2018-12-05; charged: the two complete years before 2019
    assert years_counted(validate_parameters(TABLES_ONLY)) == {2016, 2017, 2018}
    assert years_counted(read_parameters(PARAMS)) == {2015, 2016, 2017}


@pytest.mark.parametrize(
    ("path", "label", "expected"),
    [
        ("searches.dog.found_label", "Total ", "a label that reads as Total is the table's own row"),
        ("searches.dog.not_found_label", "TOTAL", "a label that reads as Total is the table's own row"),
        ("tables.1.total_label", "Total\u00a0", "a label that reads as Total is the table's own row"),
        ("tables.1.of_whom.label", " total", "a label that reads as Total is the table's own row"),
        ("searches.dog.found_label", "<5", "a label that reads as a figure or a withheld mark"),
        ("searches.dog.not_found_label", "[c]", "a label that reads as a figure or a withheld mark"),
        ("tables.1.total_label", "3", "a label that reads as a figure or a withheld mark"),
        ("tables.1.of_whom.label", "1,234", "a label that reads as a figure or a withheld mark"),
        ("tables.1.corner", "  ", "a label has no visible text"),
        ("tables.1.heading", "\u200b", "a control character (U+200B) is not text to publish"),
        ("tables.1.of_whom.label", "of whom\non a crime", "a label is one line"),
        ("tables.1.of_whom.label", "of whom\ton a crime", "a label is one line"),
        ("tables.1.corner", "x" * 201, "a label is at most 200 characters"),
        ("searches.dog.found_label", "A dog\u061c", "a control character (U+061C)"),
        ("searches.dog.found_label", "A dog\u2028", "a control character (U+2028)"),
        ("searches.dog.found_label", "A dog\U000e0041", "a control character (U+E0041)"),
        # found by a reviewer of the change: more characters a reader cannot see
        ("tables.1.total_label", "Tot\u200dal", "a character a reader cannot see (U+200D)"),
        ("tables.1.of_whom.label", "of\u00adwhom", "a character a reader cannot see (U+00AD)"),
        ("tables.1.corner", "Offence\u2061", "a character a reader cannot see (U+2061)"),
        ("tables.1.heading", "\u3164", "a character a reader cannot see (U+3164)"),
        ("searches.dog.found_label", "5\ufe0f", "a label that reads as a figure or a withheld mark"),
        ("searches.dog.found_label", "Total\u034f", "a label that reads as Total"),
    ],
)
def test_a_label_the_request_gives_a_row_or_column_reads_as_a_label(path, label, expected):
    """Found by a colleague attacking the change: labels that read as Total, as a figure or a
    `<5`, blank ones, and characters a reader cannot see all reached the release."""
    message = error_for(split(path, label))
    assert path.rsplit(".", 1)[0] in message and expected in message, message


def test_a_named_question_is_not_one_a_search_of_the_request_keeps_its_own_decisions_under():
    """Found by a colleague attacking the change: a search could name the question of a
    measure's own terms and so take over its review."""
    values = copy.deepcopy(SPLIT)
    own = copy.deepcopy(values["measures"]["damage"]) | {"terms": ["cat"]}
    values["measures"]["cats"] = own
    values["tables"].append({"name": "cats", "question": 1, "title": "Cats", "measure": "cats"})
    from helpers.request.grammar import Search

    values["searches"]["dog"]["question"] = Search(terms=["cat"]).review_question("cats")
    assert "searches.dog.question: a question made by the tool (search_...): name another" in error_for(values)
    values["searches"]["dog"]["question"] = "cats_review"
    assert validate_parameters(values).searches["dog"].review_question("dog") == "cats_review"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (changed("age_bands.0.label", "<5"), "parameters: age_bands.0.label: a label that reads as a figure or a withheld mark"),
        (changed("charge_groups.damage.label", "Total"), "parameters: charge_groups.damage.label: a label that reads as Total"),
        ({**TABLES_ONLY, "outcome_groups": {"[c]": [1]}}, "parameters: outcome_groups.[c].[key]: a label that reads as a figure"),
    ],
)
def test_the_labels_of_groups_and_bands_are_labels_too(values, expected):
    assert error_for(values).startswith(expected)


def test_the_docs_list_the_home_office_outcome_groups_as_the_tables_use_them():
    from helpers.disclosure.outcomes import OUTCOME_GROUPS

    text = (project_root() / "docs" / "requests.md").read_text(encoding="utf-8")
    table = text.split("| row | outcome types |\n|---|---|\n", 1)[1].split("\n\n", 1)[0]
    rows = [line.strip("|").split("|") for line in table.splitlines()]
    listed = {label.strip(): types.strip() for label, types in rows}
    assert list(listed) == list(OUTCOME_GROUPS)
    for label, types in OUTCOME_GROUPS.items():
        if label != "Not yet assigned an outcome":
            assert listed[label] == ", ".join(str(t) for t in types), label
