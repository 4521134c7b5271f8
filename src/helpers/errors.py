"""One exception tree: every failure a user can act on, each class carrying its exit code.

The README's exit-code table is `EXIT_CODES`. A failure inside the notebook reaches the runner
only as the exception's name (papermill's `ename`), so `kind_of` finds the class by its name in
this tree. Standard library only: the cache builder process imports it before any data library.
"""

from __future__ import annotations

from typing import Any, Protocol

#: kind of failure -> exit code (the README's table)
EXIT_CODES = {
    "ok": 0,
    "several": 1,  # several requests failed, for different reasons
    "parameters": 2,  # a parameters file or option is wrong: fix the YAML or the command
    "extracts": 3,  # an extract file is missing, malformed or does not cover the request
    "notebook": 4,  # the notebook or the export failed: a bug or the environment
    "gate": 5,  # something must not be published: the release gate or disclosure control said so
    "log": 6,  # the disclosure log cannot be read or written: restore it and its secret from backup
}


class BriefingError(Exception):
    """A run that cannot go on. The message is one line; `kind` picks the exit code."""

    kind = "notebook"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.kind]


class ParameterError(BriefingError):
    """A parameters file or value is wrong. The message is one line and names the key."""

    kind = "parameters"


class DataCoverageError(ParameterError):
    """The request asks about a period or year the extracts do not cover: fix the parameters
    (or use newer extracts). The message names the key."""


class DecisionsError(ParameterError):
    """The decisions file cannot be used. The message is one line naming the file and line."""


class ProfileError(ParameterError):
    """A force profile is wrong. The message is one line naming the file and the key."""


class ReviewDisagreementError(DecisionsError):
    """The run is strict and the first and second reviewers disagree on a crime they have not
    settled yet (a later first decision settles it). The message is one line."""


class ExtractError(BriefingError):
    """A structural problem with an extract file (it does not match its source definition): the
    run cannot go on. The message is one line."""

    kind = "extracts"


class QuarantineError(ExtractError):
    """Rows were quarantined and the run is strict."""


class Report(Protocol):
    """What a failure's report offers (the release gate's `GateReport`)."""

    def summary_line(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


class ReleaseGateError(BriefingError):
    """The release holds something that must not be shared. Its message is one line."""

    kind = "gate"

    def __init__(self, report: Report | str):
        self.report = None if isinstance(report, str) else report
        super().__init__(
            " ".join((report if isinstance(report, str) else report.summary_line()).split())
        )


class DisclosureError(BriefingError):
    """A withheld figure could still be worked out; the response must not be released."""

    kind = "gate"

    def __init__(self, message: str, protection: object = None):
        super().__init__(message)
        self.protection = protection  # the unsafe disclosure.Protection, if there is one


class DisclosureLogError(BriefingError):
    """The disclosure log cannot be read or written as it is (damaged, of another version, its
    secret missing), or a log command cannot be done. The message is one line naming the file or
    the release."""

    kind = "log"


class RunFailure(BriefingError):
    """A run that failed for a known reason found by the runner: `kind` picks the exit code."""

    def __init__(self, kind: str, message: str):
        if kind not in EXIT_CODES:
            raise ValueError(f"unknown kind of failure {kind!r}")
        super().__init__(message)
        self.kind = kind


def _subclasses(cls: type[BriefingError]) -> list[type[BriefingError]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _subclasses(child))]


def kind_of(name: str) -> str:
    """The kind of failure an exception of this name raised in the notebook is ("notebook" for
    a name outside this tree: a bug)."""
    for cls in _subclasses(BriefingError)[1:]:
        if cls.__name__ == name and cls is not RunFailure:
            return cls.kind
    return "notebook"
