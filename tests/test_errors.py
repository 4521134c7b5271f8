"""One exception tree: every failure a user can act on carries its exit code (README's table)."""

import pytest

from helpers import errors
from helpers.analysis.review import DecisionsError
from helpers.errors import DisclosureError, DisclosureLogError, ExtractError
from helpers.gate.report import ReleaseGateError
from helpers.request.parameters import ParameterError
from helpers.request.steps import DataCoverageError, QuarantineError

#: the README's exit-code table, written out again: the test fails if the code drifts from it
README_CODES = {
    ParameterError: 2,
    DataCoverageError: 2,
    DecisionsError: 2,
    ExtractError: 3,
    QuarantineError: 3,
    ReleaseGateError: 5,
    DisclosureError: 5,  # a withheld figure could be worked out: nothing may be published
    DisclosureLogError: 6,  # the disclosure log cannot be read: restore it from its backup
}


@pytest.mark.parametrize("error_class, code", README_CODES.items(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_each_error_carries_the_readmes_exit_code(error_class, code):
    assert issubclass(error_class, errors.BriefingError)
    assert error_class("a one-line message").exit_code == code


@pytest.mark.parametrize("error_class, code", README_CODES.items(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_an_error_raised_in_the_notebook_is_known_by_its_name(error_class, code):
    # papermill gives the runner only the exception's name from the kernel
    assert errors.EXIT_CODES[errors.kind_of(error_class.__name__)] == code


def test_an_unknown_error_in_the_notebook_is_a_bug():
    assert errors.EXIT_CODES[errors.kind_of("KeyError")] == errors.EXIT_CODES["notebook"] == 4
    assert errors.EXIT_CODES[errors.kind_of("BriefingError")] == 4


def test_a_run_failure_takes_the_code_of_its_kind():
    assert errors.RunFailure("gate", "x").exit_code == 5
    assert errors.RunFailure("parameters", "x").exit_code == 2
    with pytest.raises(ValueError):
        errors.RunFailure("nonsense", "x")
