"""A request's parameters: the schema every parameters file and notebook run is checked against.

The keys of a parameters file are exactly the parameters of the briefing notebook, so the same
file drives `foi-briefing run` and a direct papermill call. Everything is checked before any data
is read; a mistake is reported in one line naming the key (`ParameterError`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal, overload

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from helpers.errors import ParameterError
from helpers.extracts.ho_classes import normalise_ho_class_code
from helpers.project import project_path


class ChargeGroup(BaseModel):
    """One question about people charged: a label for the briefing and the CJS codes it counts."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1)
    codes: list[str] = Field(min_length=1)

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

    reference: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    title: str = Field(min_length=1)
    received: date | None = None
    questions: list[str] = Field(min_length=1)
    period_from: date
    period_to: date
    charge_year: int = Field(ge=1990, le=2100)
    offence_classes: list[str] = Field(default=["088/01", "088/02"], min_length=1)
    offence_description: str = Field(default="offences in the requested classes", min_length=1)
    charge_groups: dict[str, ChargeGroup] = Field(min_length=1)
    search_terms: list[str] = Field(min_length=1)
    search_scope: Literal["offences", "all_crimes"] = "offences"
    evidence_decisions: str | None = None
    review_minutes_per_record: float = Field(default=5, gt=0)
    disclosure_threshold: int = Field(default=5, ge=1)
    extracts_taken_on: date
    extracts_dir: str = Field(min_length=1)
    output_dir: str = Field(default="outputs", min_length=1)
    strict: bool = False

    @field_validator("reference", mode="before")
    @classmethod
    def _reference_is_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError('must be text: quote it in YAML (reference: "20180075")')
        return value

    @field_validator("offence_classes")
    @classmethod
    def _normalise_classes(cls, value: list[str]) -> list[str]:
        return [normalise_ho_class_code(code) for code in value]

    @field_validator("search_terms")
    @classmethod
    def _terms_not_blank(cls, value: list[str]) -> list[str]:
        terms = [str(term).strip() for term in value]
        if any(not term for term in terms):
            raise ValueError("a search term is empty")
        return terms

    @field_validator("charge_groups")
    @classmethod
    def _group_names(cls, value: dict[str, ChargeGroup]) -> dict[str, ChargeGroup]:
        for name in value:
            if name in {"either", "year", "vigilante"}:
                raise ValueError(f"{name!r} is a reserved name")
        return value

    @model_validator(mode="after")
    def _period_in_order(self) -> RequestParameters:
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

    # ---- derived values the notebook and the runner use

    @property
    def years(self) -> list[int]:
        return list(range(self.period_from.year, self.period_to.year + 1))

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


def _one_line(error: ValidationError) -> str:
    """The first problem pydantic found, as `key: what is wrong` (nested keys joined by dots)."""
    first = error.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a rule across keys names its key itself
        return message
    key = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        message = "unknown key (is it misspelt?)"
    elif first["type"] == "missing":
        message = "missing (required)"
    elif isinstance(first.get("input"), (str, int, float, bool)) and len(str(first["input"])) < 60:
        message = f"{message} (got {first['input']!r})"
    more = len(error.errors()) - 1
    return f"{key}: {message}" + (
        f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    )


def validate_parameters(values: dict[str, Any]) -> RequestParameters:
    """Check a request's parameters; raise `ParameterError` with one line naming the key."""
    try:
        return RequestParameters.model_validate(values)
    except ValidationError as error:
        raise ParameterError(f"parameters: {_one_line(error)}") from None


def read_parameters(path: str | Path, overrides: dict[str, Any] | None = None) -> RequestParameters:
    """Read and check a parameters YAML file (with command-line overrides applied)."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: parameters file not found")
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        raise ParameterError(
            f"{path.name}:{where} not valid YAML ({getattr(error, 'problem', error)})"
        ) from None
    if not isinstance(values, dict):
        raise ParameterError(f"{path.name}: expected keys and values (a YAML mapping)")
    values.update({key: value for key, value in (overrides or {}).items() if value is not None})
    try:
        return RequestParameters.model_validate(values)
    except ValidationError as error:
        raise ParameterError(f"{path.name}: {_one_line(error)}") from None


def notebook_parameters(params: RequestParameters) -> dict[str, Any]:
    """The parameters as papermill passes them to the notebook (dates as ISO text)."""
    return params.model_dump(mode="json")
