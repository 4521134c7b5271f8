"""A request's parameters: the schema every parameters file and notebook run is checked against.

The keys of a parameters file are exactly the parameters of the briefing notebook, so the same
file drives `foi-briefing run` and a direct papermill call. Everything is checked before any data
is read; a mistake is reported in one line naming the key (`ParameterError`), and a file that is
not UTF-8, too large, too deep or holds an alias in one line naming the file and the line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, overload

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from helpers.errors import ParameterError
from helpers.extracts.ho_classes import normalise_ho_class_code
from helpers.extracts.profile import (
    default_profile_path,
    profile_class_titles,
    profile_sources,
)
from helpers.extracts.sources import SourceDefinition
from helpers.project import project_path
from helpers.request.grammar import (
    AGE_BREAKDOWNS,
    AgeBand,
    ClassGroup,
    Label,
    Measure,
    Search,
    TableRequest,
    Text,
    check_age_bands,
    check_measures,
    check_outcome_groups,
    check_searches,
    check_tables,
    check_todays_names,
    clean_terms,
)
from helpers.yaml_input import MAX_FILE_BYTES, Kind, one_line, read_yaml, shown_key  # noqa: F401

#: the disclosure thresholds a request may set (counts from 1 to T - 1 are withheld): below 3,
#: "<2" would say a count is exactly 1; above 1,000 nothing of one force's crimes would be shown.
#: Disclosure control and the gate keep their own guards, with these bounds.
THRESHOLD_RANGE = range(3, 1001)
THRESHOLD_RULE = f"a whole number from {THRESHOLD_RANGE.start} to {THRESHOLD_RANGE.stop - 1:,}"
#: a reviewer's minutes per record, at most a day: the cost sentence's hours stay finite
MAX_REVIEW_MINUTES = 1440
#: a reference names the output folder `<output_dir>/<reference>/`: ASCII letters and digits,
#: hyphens and underscores, first a letter or digit (no `/`, no `..`, no hidden folder)
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", re.ASCII)
REFERENCE_RULE = (
    "must be 1 to 40 letters, digits, hyphens or underscores, starting with a letter or digit"
)
#: what a parameters file is, for the errors of its YAML (`helpers.yaml_input`)
PARAMETERS_FILE = Kind("parameters file", depth=5, error=ParameterError)
#: the rows the people-charged table adds after the charge groups' (`request.tables`): a group's
#: label names its row, so it can be neither another group's label nor one of these
EITHER_ROW = "Charged with any of these (each person once)"
VIGILANTE_ROW = "of whom charged on hunter-group evidence"
HUNTER_ROW = "Hunter-group evidence found"
NO_HUNTER_ROW = "No hunter-group evidence found"
#: today's request shape (20180075): given all together (the first five; the last two have
#: defaults) or not at all, when the request is answered by `tables` only
LEGACY_REQUIRED = ("period_from", "period_to", "charge_year", "charge_groups", "search_terms")
LEGACY_KEYS = (*LEGACY_REQUIRED, "offence_classes", "offence_description")
DEFAULT_OFFENCE_CLASSES = ("088/01", "088/02")
DEFAULT_OFFENCE_DESCRIPTION = "offences in the requested classes"


class ChargeGroup(BaseModel):
    """One question about people charged: a label for the briefing and the CJS codes it counts."""

    model_config = ConfigDict(extra="forbid")

    label: Label = Field(min_length=1)
    codes: list[Text] = Field(min_length=1)

    @field_validator("codes")
    @classmethod
    def _normalise_codes(cls, value: list[str]) -> list[str]:
        cleaned = [str(code).replace(" ", "").upper() for code in value]
        if any(not code for code in cleaned):
            raise ValueError("a code is empty")
        return cleaned


class RequestParameters(BaseModel):
    """Everything one FOI request needs. See `parameters/20180075.yaml` for a commented example."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference: str
    title: Text = Field(min_length=1)
    received: date | None = None
    questions: list[Text] = Field(min_length=1)
    # today's request shape (`legacy`): all of it, or none of it and `tables`
    period_from: date | None = None
    period_to: date | None = None
    charge_year: int | None = Field(default=None, ge=1990, le=2100)
    offence_classes: list[str] | None = Field(default=None, min_length=1)
    offence_description: Text | None = Field(default=None, min_length=1)
    charge_groups: dict[str, ChargeGroup] | None = Field(default=None, min_length=1)
    search_terms: list[Text] | None = Field(default=None, min_length=1)
    # the request grammar (`helpers.request.grammar`, docs/requests.md)
    as_of: date | None = None
    class_groups: dict[str, ClassGroup] = Field(default_factory=dict)
    age_bands: list[AgeBand] = Field(default_factory=list)
    outcome_groups: dict[Label, list[int]] | None = None
    searches: dict[str, Search] = Field(default_factory=dict)
    measures: dict[str, Measure] = Field(default_factory=dict)
    tables: list[TableRequest] = Field(default_factory=list)
    search_scope: Literal["offences", "all_crimes"] = "offences"
    evidence_decisions: str | None = None
    second_review: bool = False
    review_minutes_per_record: float = 5
    disclosure_threshold: int = 5
    extracts_taken_on: date
    extracts_dir: str = Field(min_length=1)
    profile: str | None = Field(default=None, min_length=1)
    output_dir: str = Field(default="outputs", min_length=1)
    strict: bool = False

    @field_validator("reference", mode="before")
    @classmethod
    def _reference_is_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError('must be text: quote it in YAML (reference: "20180075")')
        if not REFERENCE_PATTERN.fullmatch(value):
            raise ValueError(REFERENCE_RULE)
        return value

    @field_validator("disclosure_threshold", mode="before")
    @classmethod
    def _threshold_in_range(cls, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value, re.ASCII):
            value = int(value)  # digits as text, as pydantic's whole numbers have always been
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value not in THRESHOLD_RANGE:
            raise ValueError(f"must be {THRESHOLD_RULE}")
        return value

    @field_validator("review_minutes_per_record")
    @classmethod
    def _minutes_in_range(cls, value: float) -> float:
        if not (math.isfinite(value) and 0 < value <= MAX_REVIEW_MINUTES):
            raise ValueError(
                f"must be a number of minutes above 0 and at most {MAX_REVIEW_MINUTES:,}"
            )
        return value

    @field_validator("offence_classes")
    @classmethod
    def _normalise_classes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [normalise_ho_class_code(code) for code in value]

    @field_validator("search_terms")
    @classmethod
    def _terms_not_blank(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else clean_terms(value)

    @field_validator("charge_groups")
    @classmethod
    def _group_names(cls, value: dict[str, ChargeGroup] | None) -> dict[str, ChargeGroup] | None:
        if value is None:
            return None
        for name in value:
            if name in {"either", "year", "vigilante"}:
                raise ValueError(f"{name!r} is a reserved name")
        _labels_name_one_row_each(value)
        return value

    @model_validator(mode="after")
    def _legacy_or_tables(self) -> RequestParameters:
        legacy_problem(self)
        if self.period_from is None or self.period_to is None or self.charge_year is None:
            return self  # no legacy part: the tables answer the request
        if self.period_to < self.period_from:
            raise ValueError(
                f"period_to: {self.period_to} is before period_from {self.period_from}"
            )
        if self.extracts_taken_on < self.period_to:
            raise ValueError(
                f"extracts_taken_on: the extracts ({self.extracts_taken_on}) were taken before the "
                f"period ends ({self.period_to})"
            )
        if self.charge_year > self.extracts_taken_on.year:
            raise ValueError(
                f"charge_year: {self.charge_year} is after the extracts were taken "
                f"({self.extracts_taken_on})"
            )
        return self

    @model_validator(mode="after")
    def _grammar_fits_together(self) -> RequestParameters:
        by_age = any(b in AGE_BREAKDOWNS for table in self.tables for b in table.breakdowns)
        check_age_bands(self.age_bands, in_a_table=by_age)
        if self.outcome_groups is not None:
            check_outcome_groups(self.outcome_groups)
        check_measures(self.measures, self.class_groups, self.as_of_date, self.extracts_taken_on)
        if self.has_legacy:
            check_todays_names(self.tables, self.measures, self.searches)
        check_searches(self.measures, self.searches, self.tables)
        check_tables(
            self.tables,
            self.measures,
            len(self.questions),
            self.charge_groups or {},
            self.searches,
            has_age_bands=bool(self.age_bands),
        )
        return self

    # ---- derived values the notebook and the runner use

    @property
    def has_legacy(self) -> bool:
        """Whether the request has today's shape (its tables and sentences are made)."""
        return self.period_from is not None

    @property
    def legacy(self) -> LegacyRequest:
        """Today's request shape, typed: only for a request that has it (`has_legacy`)."""
        if (
            self.period_from is None
            or self.period_to is None
            or self.charge_year is None
            or self.charge_groups is None
            or self.search_terms is None
        ):
            raise ValueError("the request has no period_from/period_to/charge_year part")
        return LegacyRequest(
            self.period_from,
            self.period_to,
            self.charge_year,
            list(self.offence_classes or DEFAULT_OFFENCE_CLASSES),
            self.offence_description or DEFAULT_OFFENCE_DESCRIPTION,
            self.charge_groups,
            self.search_terms,
        )

    @property
    def as_of_date(self) -> date:
        """The date relative periods count back from: `as_of`, else when the extracts were
        taken."""
        return self.as_of or self.extracts_taken_on

    @property
    def years(self) -> list[int]:
        return self.legacy.years

    @overload
    def path(self, value: str) -> Path: ...

    @overload
    def path(self, value: None) -> None: ...

    def path(self, value: str | None) -> Path | None:
        """A path from the parameters: relative paths are relative to the project's root."""
        if value is None:
            return None
        return project_path(value)

    @property
    def extracts_path(self) -> Path:
        return self.path(self.extracts_dir)

    @property
    def request_output_path(self) -> Path:
        return self.path(self.output_dir) / self.reference

    @property
    def profile_path(self) -> Path:
        """The force profile the request is read with: `profile`, else the shipped default."""
        return self.path(self.profile) if self.profile else default_profile_path()

    @property
    def sources(self) -> tuple[SourceDefinition, ...]:
        """The force profile's systems (read once per process; `ProfileError` if it is wrong)."""
        return profile_sources(self.profile_path)

    @property
    def class_titles(self) -> Mapping[str, str]:
        """The force's own titles of classes (the profile's `class_titles`), which the briefing
        prints instead of the shipped list's."""
        return profile_class_titles(self.profile_path)


@dataclass(frozen=True)
class LegacyRequest:
    """Today's request shape (20180075): offences by year and their outcomes, people charged in
    a year under groups of codes, and a free-text search; every key given."""

    period_from: date
    period_to: date
    charge_year: int
    offence_classes: list[str]
    offence_description: str
    charge_groups: dict[str, ChargeGroup]
    search_terms: list[str]

    @property
    def years(self) -> list[int]:
        return list(range(self.period_from.year, self.period_to.year + 1))


def legacy_problem(params: RequestParameters) -> None:
    """Today's keys come all together or not at all, and a request has them or `tables`."""
    given = [key for key in LEGACY_KEYS if getattr(params, key) is not None]
    # charge_groups alone are groups of codes for the measures, not today's shape
    shape = [key for key in given if key != "charge_groups"]
    if shape:
        missing = [key for key in LEGACY_REQUIRED if key not in given]
        if missing:
            raise ValueError(
                f"{missing[0]}: missing (required with {shape[0]}: give all of "
                f"{', '.join(LEGACY_REQUIRED)}, or none of them and answer with tables)"
            )
    elif not params.tables:
        raise ValueError(
            "tables: missing (a request needs tables, or the keys of today's request: "
            f"{', '.join(LEGACY_REQUIRED)})"
        )


def _labels_name_one_row_each(groups: dict[str, ChargeGroup]) -> None:
    """Each group's label names its own row of the people-charged table: two groups with one
    label, or a label of a row the table adds itself, would be one row counted twice."""
    seen: dict[str, str] = {}
    for name, group in groups.items():
        shown = shown_key(name)
        if group.label in (EITHER_ROW, VIGILANTE_ROW):
            raise ValueError(
                f"{shown}'s label is the name of a row the table adds itself: "
                "give the group another"
            )
        if group.label in seen:
            raise ValueError(
                f"{shown}'s label is {seen[group.label]}'s too: give each group a label of its own"
            )
        seen[group.label] = shown


def validate_parameters(values: dict[str, Any]) -> RequestParameters:
    """Check a request's parameters; raise `ParameterError` with one line naming the key."""
    try:
        params = RequestParameters.model_validate(values)
    except ValidationError as error:
        raise ParameterError(f"parameters: {one_line(error, RequestParameters)}") from None
    return params


def read_parameters(path: str | Path, overrides: dict[str, Any] | None = None) -> RequestParameters:
    """Read and check a parameters YAML file (with command-line overrides applied)."""
    path = Path(path)
    values = read_yaml(path, PARAMETERS_FILE)
    if not isinstance(values, dict):
        raise ParameterError(f"{path.name}: expected keys and values (a YAML mapping)")
    values.update({key: value for key, value in (overrides or {}).items() if value is not None})
    try:
        params = RequestParameters.model_validate(values)
    except ValidationError as error:
        raise ParameterError(f"{path.name}: {one_line(error, RequestParameters)}") from None
    return params


def notebook_parameters(params: RequestParameters) -> dict[str, Any]:
    """The parameters as papermill passes them to the notebook (dates as ISO text)."""
    return params.model_dump(mode="json")
