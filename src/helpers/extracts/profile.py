"""A force profile: one YAML file describing a force's crime systems, read into source definitions.

A force's systems are listed oldest first; each says which files it exports, which column holds
which canonical field and how its values are written (`helpers.extracts.sources` says what each
is for). `docs/force-profiles.md` explains every key. The force this tool was first built for is
`profiles/cms-connect.yaml`, the profile a run uses unless told otherwise.

A profile is checked before any data is read: a mistake is one line naming the file and the key
(`ProfileError`), and the file is read as hostile input like a parameters file.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from helpers.errors import ProfileError
from helpers.extracts.ho_classes import TITLE_CHARACTERS, normalise_ho_class_code
from helpers.extracts.sheets import SHEET_SUFFIXES, is_sheet
from helpers.extracts.sources import (
    CANONICAL_FIELDS,
    DATE_DIRECTIVES,
    REQUIRED_FIELDS,
    CrimeState,
    FileSpec,
    Role,
    SourceDefinition,
    TableName,
    single_byte_table,
)
from helpers.extracts.transcode import is_wide
from helpers.project import project_root
from helpers.yaml_input import Kind, one_line, read_yaml

#: the profile a run uses unless the request or `--profile` names another (under the project root)
DEFAULT_PROFILE = Path("profiles") / "cms-connect.yaml"
PROFILE_FILE = Kind("force profile", depth=4, error=ProfileError)
#: what a delimiter or quote character cannot be: it would end a line or a field's text
_NOT_A_SEPARATOR = set("\r\n\0")


def _a_regex(groups: tuple[str, ...]):
    """A validator: the text is a regular expression with these named groups."""

    def check(value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as error:
            raise ValueError(f"not a regular expression ({error})") from None
        missing = [group for group in groups if group not in compiled.groupindex]
        if missing:
            raise ValueError(
                f"needs the named group{'s' * (len(missing) > 1)} "
                + ", ".join(f"(?P<{group}>...)" for group in missing)
            )
        return value

    return AfterValidator(check)


#: a group holding a repeat, itself repeated: `(\d+)+`, `(?:[A-Z]\d*){2,}`
_REPEATED_GROUP = re.compile(r"\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{?]")


def _an_identifier_format(value: str) -> str:
    """A regular expression of an identifier's whole form, which cannot be empty or a word."""
    try:
        compiled = re.compile(value)
    except re.error as error:
        raise ValueError(f"not a regular expression ({error})") from None
    if compiled.fullmatch("") or compiled.fullmatch("A"):
        raise ValueError("matches an empty text or a single letter: write the identifier's form")
    if _REPEATED_GROUP.search(value):
        # the gate runs it over every released text: (\d+)+ would take exponential time
        raise ValueError("a repeated group with a repeat inside it: write the form without one")
    return value


def _a_time_format(value: str) -> str:
    """A date format the reader reads: literal text and `%d %m %b %Y %H %M %S` (each once), with
    a year, a month and a day."""
    directives = re.findall(r"%.?", value)
    unknown = [d for d in directives if d not in DATE_DIRECTIVES]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not a part the reader knows: write dates with "
            + " ".join(DATE_DIRECTIVES)
            + " and literal text, e.g. %d/%m/%Y %H:%M or %d-%b-%Y"
        )
    months = directives.count("%m") + directives.count("%b")
    if len(set(directives)) != len(directives) or months > 1:
        raise ValueError("each part once (a month as %m or %b)")
    if "%Y" not in directives or months != 1 or "%d" not in directives:
        raise ValueError("a date needs a day, a month and a year (%d, %m or %b, %Y)")
    return value


def _an_encoding(value: str) -> str:
    """UTF-8, an 8-bit encoding with ASCII as ASCII, or UTF-16/UTF-32 (converted to UTF-8 on
    the way in: `transcode`), under Python's own name for it."""
    try:
        name = codecs.lookup(value).name
    except LookupError:
        raise ValueError("not an encoding Python knows (e.g. utf-8, cp1252, iso8859-15)") from None
    if name not in {"utf-8", "utf-8-sig"} and single_byte_table(name) is None and not is_wide(name):
        raise ValueError(
            "must be utf-8, utf-16, utf-32 or an 8-bit encoding that writes ASCII as ASCII "
            "(cp1252, iso8859-15, latin-1, cp850, ...)"
        )
    return "utf-8" if name == "utf-8-sig" else name


def _one_character(value: str) -> str:
    if len(value) != 1 or not value.isascii() or value in _NOT_A_SEPARATOR:
        raise ValueError('must be one ASCII character (a comma, a semicolon, a tab: "\\t")')
    return value


TimeFormat = Annotated[str, AfterValidator(_a_time_format)]
OneCharacter = Annotated[str, AfterValidator(_one_character)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class FileProfile(BaseModel):
    """One exported file: its name and which column holds each canonical field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: Text
    columns: dict[str, Text] = Field(min_length=1)
    sheet: Text | None = None

    @model_validator(mode="after")
    def _a_sheet_is_a_spreadsheets(self) -> FileProfile:
        if self.sheet is not None and not is_sheet(self.file):
            raise ValueError(
                f"sheet: {self.file!r} is not a spreadsheet (a name ending "
                f"{', '.join(SHEET_SUFFIXES)}): a CSV has no sheets"
            )
        return self


class SystemProfile(BaseModel):
    """One crime system of the force and how its export is written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z][A-Za-z0-9 _-]*$")]
    description: Text | None = None
    encoding: Annotated[str, AfterValidator(_an_encoding)]
    delimiter: OneCharacter = ","
    quote_char: OneCharacter = '"'
    datetime_formats: list[TimeFormat] = Field(min_length=1)
    date_format: TimeFormat
    ho_class_pattern: Annotated[str, _a_regex(("cls", "sub"))]
    outcome_pattern: Annotated[str, _a_regex(("num",))]
    pending_values: list[Text] = Field(default_factory=list, max_length=50)
    pnc_pattern: Annotated[str, _a_regex(("year", "serial", "check"))] | None = None
    status_values: dict[Text, CrimeState] = Field(min_length=1)
    role_values: dict[Text, Role] = Field(default_factory=dict)
    took_over_from: str | None = None
    recording_from: str | None = None
    recording_until: str | None = None
    files: dict[TableName, FileProfile]
    identifier_formats: dict[
        Annotated[str, Field(min_length=1, max_length=40)],
        Annotated[str, AfterValidator(_an_identifier_format)],
    ] = Field(default_factory=dict, max_length=20)
    #: a class -> the system's title of it (or several), checked by the force to mean the shipped
    #: list's offence: no run warns of it (`ho_class_title`, docs/force-profiles.md)
    class_titles_checked: dict[
        Annotated[str, AfterValidator(normalise_ho_class_code)], Text | list[Text]
    ] = Field(default_factory=dict, max_length=5000)

    @field_validator("class_titles_checked", mode="after")
    @classmethod
    def _titles_as_lists(cls, value: dict[str, str | list[str]]) -> dict[str, list[str]]:
        return {
            code: [titles] if isinstance(titles, str) else titles for code, titles in value.items()
        }

    @model_validator(mode="after")
    def _files_hold_their_fields(self) -> SystemProfile:
        if self.delimiter == self.quote_char:
            raise ValueError(
                f"quote_char: the same character as the delimiter ({self.delimiter!r})"
            )
        for table in ("crimes", "people", "charges"):
            if table not in self.files:
                raise ValueError(f"files.{table}: missing (required)")
            columns = self.files[table].columns
            unknown = sorted(set(columns) - CANONICAL_FIELDS[table])
            if unknown:
                raise ValueError(
                    f"files.{table}.columns.{unknown[0]}: not a field of {table} (the fields: "
                    f"{', '.join(sorted(CANONICAL_FIELDS[table]))})"
                )
            missing = sorted(REQUIRED_FIELDS[table] - set(columns))
            if missing:
                raise ValueError(f"files.{table}.columns.{missing[0]}: missing (required)")
        if "pnc_id" in self.files["people"].columns and self.pnc_pattern is None:
            raise ValueError("pnc_pattern: missing: the people file has a PNC ID column")
        if self.took_over_from and "legacy_ref" not in self.files["crimes"].columns:
            raise ValueError(
                "files.crimes.columns.legacy_ref: missing: a system that took crimes over from "
                f"{self.took_over_from} must say which column holds a crime's reference there"
            )
        return self


def _one_line_title(title: str) -> str:
    if any(
        unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in title
    ):
        raise ValueError("a title is one line of text: no control, format or line-break characters")
    if not (collapsed := " ".join(title.split())):
        raise ValueError("a title is empty: give the class's title, or leave the class out")
    return collapsed


#: a class's title as the force gives it (a table's row label, a sentence of the method)
ClassTitle = Annotated[
    str,
    Field(min_length=1, max_length=TITLE_CHARACTERS),
    AfterValidator(_one_line_title),
]


class ForceProfile(BaseModel):
    """A force and its crime systems, oldest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    force: Text
    systems: list[SystemProfile] = Field(min_length=1, max_length=10)
    #: a class -> the force's own title of it, printed wherever the briefing titles the class,
    #: instead of the shipped list's (the force records the code for another offence, or words
    #: it otherwise: docs/force-profiles.md)
    class_titles: dict[Annotated[str, AfterValidator(normalise_ho_class_code)], ClassTitle] = Field(
        default_factory=dict, max_length=5000
    )

    @field_validator("class_titles", mode="before")
    @classmethod
    def _one_title_a_class(cls, value: object) -> object:
        if isinstance(value, dict):
            seen: dict[str, object] = {}
            for code in value:
                try:
                    written = normalise_ho_class_code(str(code))
                except ValueError:
                    continue  # said by the key's own check
                if written in seen:
                    raise ValueError(
                        f"{seen[written]!r} and {code!r} are the same class, {written}"
                    )
                seen[written] = code
        return value

    @model_validator(mode="after")
    def _systems_in_order(self) -> ForceProfile:
        seen: list[str] = []
        for number, system in enumerate(self.systems):
            if system.system in seen:
                raise ValueError(f"systems.{number}.system: {system.system!r} is listed twice")
            if system.took_over_from is not None and system.took_over_from not in seen:
                raise ValueError(
                    f"systems.{number}.took_over_from: {system.took_over_from!r} is not a system "
                    "listed before it (list the systems oldest first)"
                )
            seen.append(system.system)
        return self

    def sources(self) -> tuple[SourceDefinition, ...]:
        """The loader's source definitions of the force's systems, oldest first."""
        return tuple(_source(system) for system in self.systems)


def _source(system: SystemProfile) -> SourceDefinition:
    def spec(table: TableName) -> FileSpec:
        given = system.files[table]
        return FileSpec(table, given.file, dict(given.columns), sheet=given.sheet)

    return SourceDefinition(
        system=system.system,
        encoding=system.encoding,
        crimes=spec("crimes"),
        people=spec("people"),
        charges=spec("charges"),
        datetime_formats=tuple(system.datetime_formats),
        date_format=system.date_format,
        ho_class_pattern=system.ho_class_pattern,
        outcome_pattern=system.outcome_pattern,
        pending_values=tuple(value.strip().lower() for value in system.pending_values),
        pnc_pattern=system.pnc_pattern,
        status_values=dict(system.status_values),
        legacy_system=system.took_over_from,
        description=" ".join((system.description or "").split()),
        recording_from=system.recording_from,
        recording_until=system.recording_until,
        delimiter=system.delimiter,
        quote_char=system.quote_char,
        identifier_formats=dict(system.identifier_formats),
        role_values={value.strip().lower(): role for value, role in system.role_values.items()},
        class_titles_checked={
            code: tuple(title.casefold() for title in titles)
            for code, titles in system.class_titles_checked.items()
        },
    )


#: what `foi-briefing profile draft` writes where the user must answer: no run reads a profile
#: that still holds one
TODO = "TODO"


def unanswered(values: object, path: str = "") -> list[str]:
    """The keys of a profile's values still `TODO` (a draft's questions), as `a.0.b`."""
    found = []
    if isinstance(values, dict):
        for key, value in values.items():
            where = f"{path}.{key}" if path else str(key)
            if key == TODO or value == TODO:
                found.append(where)
            else:
                found += unanswered(value, where)
    elif isinstance(values, list):
        for number, value in enumerate(values):
            where = f"{path}.{number}" if path else str(number)
            found += [where] if value == TODO else unanswered(value, where)
    return found


def read_profile(path: str | Path) -> ForceProfile:
    """Read and check a force profile, or `ProfileError` in one line naming the file and key (a
    draft's question not yet answered, `TODO`, first)."""
    path = Path(path)
    values = read_yaml(path, PROFILE_FILE)
    left = unanswered(values)
    if left:
        more = f" (and {len(left) - 1} more TODO{'s' * (len(left) > 2)})" if len(left) > 1 else ""
        raise ProfileError(
            f"{path.name}: {left[0]}: TODO: a draft's question to answer (see its comment){more}"
        )
    if not isinstance(values, dict):
        raise ProfileError(f"{path.name}: expected keys and values (a YAML mapping)")
    try:
        return ForceProfile.model_validate(values)
    except ValidationError as error:
        raise ProfileError(f"{path.name}: {one_line(error)}") from None


def profile_sha256(path: str | Path) -> str:
    """The profile file's SHA-256 (the manifest records which profile a run used)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def default_profile_path() -> Path:
    return project_root() / DEFAULT_PROFILE


@cache
def _profile_of(path: Path, mtime_ns: int) -> ForceProfile:
    return read_profile(path)


@cache
def _sources_of(path: Path, mtime_ns: int) -> tuple[SourceDefinition, ...]:
    return _profile_of(path, mtime_ns).sources()


def _stamped(path: str | Path | None) -> tuple[Path, int]:
    """A profile's path (the default profile's if none is named) and its modification time."""
    chosen = Path(path) if path is not None else default_profile_path()
    try:
        return chosen, chosen.stat().st_mtime_ns
    except OSError:
        return chosen, 0  # read_profile says what is wrong


def profile_sources(path: str | Path | None = None) -> tuple[SourceDefinition, ...]:
    """The source definitions of a profile (the default profile's if none is named), read once
    per process while the file is unchanged."""
    return _sources_of(*_stamped(path))


def profile_class_titles(path: str | Path | None = None) -> Mapping[str, str]:
    """The force's own titles of classes (`class_titles`), read as `profile_sources` is."""
    return MappingProxyType(_profile_of(*_stamped(path)).class_titles)


def chosen_sources(sources: tuple[SourceDefinition, ...] | None) -> tuple[SourceDefinition, ...]:
    """The sources given, or the default profile's."""
    return sources if sources is not None else profile_sources()
