"""Parameters are checked before any data is read: one line naming the key."""

import pytest
import yaml

from helpers.project import project_root
from helpers.request.parameters import ParameterError, read_parameters, validate_parameters

PARAMS = project_root() / "parameters" / "20180075.yaml"


def error_for(tmp_path, **changes) -> str:
    values = yaml.safe_load(PARAMS.read_text())
    for key, value in changes.items():
        if value is ...:
            del values[key]
        else:
            values[key] = value
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(values))
    with pytest.raises(ParameterError) as caught:
        read_parameters(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_20180075_file_is_valid_and_normalised():
    params = read_parameters(PARAMS)
    assert params.reference == "20180075"
    assert params.offence_classes == ["088/01", "088/02"]
    assert params.years == [2015, 2016, 2017]
    assert params.charge_groups["attempt_section_15"].codes[0] == "SX03225A"
    assert params.disclosure_threshold == 5


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"colour": "blue"}, "request.yaml: colour: unknown key (is it misspelt?)"),
        ({"period_from": "2015-02-30"}, "request.yaml: period_from: Input should be a valid date"),
        ({"period_to": "2014-01-01"}, "request.yaml: period_to: 2014-01-01 is before period_from 2015-01-01"),
        ({"reference": 20180075}, "request.yaml: reference: must be text: quote it in YAML"),
        ({"charge_year": "last year"}, "request.yaml: charge_year: Input should be a valid integer"),
        ({"search_terms": []}, "request.yaml: search_terms: List should have at least 1 item"),
        ({"search_terms": ["vigilante", " "]}, "request.yaml: search_terms: a search term is empty"),
        ({"disclosure_threshold": 0}, "request.yaml: disclosure_threshold: must be a whole number from 3 to 1,000 (got 0)"),
        ({"offence_classes": ["88-1"]}, "request.yaml: offence_classes: '88-1' is not a Home Office classification"),
        ({"charge_year": 2020}, "request.yaml: charge_year: 2020 is after the extracts were taken"),
        ({"title": ...}, "request.yaml: title: missing (required)"),
        ({"search_scope": "everything"}, "request.yaml: search_scope: Input should be 'offences' or 'all_crimes'"),
        ({"charge_groups": {"s15": {"label": "x", "codes": []}}}, "request.yaml: charge_groups.s15.codes: List should have at least 1 item"),
        ({"second_review": "maybe"}, "request.yaml: second_review: Input should be a valid boolean"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(tmp_path, changes, expected):
    assert error_for(tmp_path, **changes).startswith(expected)


def test_a_file_that_is_not_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("reference: '1'\nperiod_from: [2015\n")
    with pytest.raises(ParameterError, match=r"^bad.yaml: line \d+: not valid YAML"):
        read_parameters(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ParameterError, match="parameters file not found"):
        read_parameters(tmp_path / "nope.yaml")


def test_dates_from_papermill_arrive_as_text_and_are_checked():
    values = yaml.safe_load(PARAMS.read_text())
    values.update({k: str(v) for k, v in values.items() if k in {"period_from", "period_to", "received", "extracts_taken_on"}})
    assert validate_parameters(values).period_from.isoformat() == "2015-01-01"


def test_relative_paths_are_relative_to_the_project_root():
    params = read_parameters(PARAMS, {"extracts_dir": "data/x", "output_dir": "/tmp/abs"})
    assert params.extracts_path == project_root() / "data" / "x"
    assert str(params.request_output_path) == "/tmp/abs/20180075"
