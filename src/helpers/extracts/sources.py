"""Source definitions: how each crime system writes its extract files.

A *source definition* says, for one system, which files it exports, which column holds which
canonical field, the encoding, and how dates, Home Office codes, outcomes, statuses and PNC IDs
are written. The loader (`helpers.extracts.canonical`) reads every system through its definition.
No force is written here: a force's systems are a force profile, a YAML file
(`helpers.extracts.profile`, `profiles/`), so a force on another system (Niche, Athena, ...)
writes a profile, not code.

The canonical fields are:

crimes   crime_ref, legacy_ref, recorded_at, original_recorded_at, committed_at, ho_class,
         ho_class_title, status, outcome, circumstances
people   crime_ref, person_ref, legacy_person_ref, pnc_id, role, surname, forenames, date_of_birth
charges  crime_ref, person_ref, charge_date, cjs_code, charge_ref
"""

from __future__ import annotations

import codecs
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from helpers.errors import ExtractError

TableName = Literal["crimes", "people", "charges"]
CrimeState = Literal["live", "cancelled", "migrated"]


#: the parts a date format may have besides literal text, each of a fixed width (`%b`: a month's
#: English abbreviation in any case, `04-Dec-2017`); `codes.parse_datetimes` reads them
DATE_DIRECTIVES = ("%d", "%m", "%b", "%Y", "%H", "%M", "%S")

#: canonical fields holding personal data: read only when a step needs them
PERSONAL_FIELDS = frozenset({"surname", "forenames", "date_of_birth"})

#: each table's canonical fields, and those every system's file must have (the others are
#: optional: a system that took no crimes over has no legacy references)
CANONICAL_FIELDS: Mapping[TableName, frozenset[str]] = {
    "crimes": frozenset(
        {
            "crime_ref",
            "legacy_ref",
            "recorded_at",
            "original_recorded_at",
            "committed_at",
            "ho_class",
            "ho_class_title",
            "status",
            "outcome",
            "circumstances",
        }
    ),
    "people": frozenset(
        {
            "crime_ref",
            "person_ref",
            "legacy_person_ref",
            "pnc_id",
            "role",
            "surname",
            "forenames",
            "date_of_birth",
        }
    ),
    "charges": frozenset({"crime_ref", "person_ref", "charge_date", "cjs_code", "charge_ref"}),
}
#: a system may lack these (the briefing says what could not be done without them:
#: `missing_fields`): a PNC ID, a person's name and date of birth, the circumstances text; the
#: system's own title of a class is compared with the shipped list's (a run warning), if given;
#: a charge's own number tells two counts of one offence apart from a row exported twice
OPTIONAL_FIELDS = frozenset(
    {
        "charge_ref",
        "legacy_ref",
        "ho_class_title",
        "original_recorded_at",
        "committed_at",
        "legacy_person_ref",
        "pnc_id",
        "surname",
        "forenames",
        "date_of_birth",
        "circumstances",
    }
)
#: the roles a person can have on a crime, whatever a system calls them (`role_values`)
ROLES = ("victim", "suspect", "witness", "other")
Role = Literal["victim", "suspect", "witness", "other"]
REQUIRED_FIELDS: Mapping[TableName, frozenset[str]] = {
    table: fields - OPTIONAL_FIELDS for table, fields in CANONICAL_FIELDS.items()
}


@dataclass(frozen=True)
class FileSpec:
    """One exported file: its name and which column holds each canonical field.

    In a source definition the name may be a pattern (`crimes_*.csv`: one file a year), which
    `concrete_files` turns into a spec per matching file, each naming the pattern it came from."""

    table: TableName
    filename: str
    columns: Mapping[str, str]  # canonical field -> column header in the file
    pattern: str | None = None  # the pattern this file matched, if it was named by one
    sheet: str | None = None  # a spreadsheet export's sheet (None: the first)


@dataclass(frozen=True)
class SourceDefinition:
    """Everything the loader needs to know about one crime system's export."""

    system: str
    #: "utf-8" or an 8-bit encoding with ASCII as ASCII (`single_byte_table`), as Python names it
    encoding: str
    crimes: FileSpec
    people: FileSpec
    charges: FileSpec
    #: strptime formats; the first that parses a value wins
    datetime_formats: tuple[str, ...]
    date_format: str
    #: regular expression with named groups `cls` and `sub` for a Home Office classification
    ho_class_pattern: str
    #: regular expression with a group `num` for the Home Office outcome number
    outcome_pattern: str
    #: regular expression with groups `year`, `serial`, `check` for a PNC ID (after trimming and
    #: upper-casing)
    #: None where the system has no PNC ID column (any form of PNC ID is read then)
    pnc_pattern: str | None
    #: each value of the status column -> live, cancelled or migrated (to a newer system)
    status_values: Mapping[str, CrimeState]
    #: the system this one's `legacy_ref` / `legacy_person_ref` point into, if any
    legacy_system: str | None = None
    #: text for the briefing's method note
    description: str = ""
    #: switch-over: when this system started / stopped recording new crimes (local time), if known
    recording_from: str | None = None
    recording_until: str | None = None
    #: the CSV's field separator and quote character, one ASCII character each
    delimiter: str = ","
    quote_char: str = '"'
    #: each value of the role column (any case) -> its canonical role (`ROLES`); a value not
    #: listed is "other". Empty: the value itself, lower case, where it is a canonical role
    role_values: Mapping[str, str] = field(default_factory=dict)
    #: the system's own identifiers, for the release gate: what each is called -> a regular
    #: expression of its whole form (`crime reference: CM/\d{2}/\d{7}`)
    identifier_formats: Mapping[str, str] = field(default_factory=dict)
    #: the outcome column's values (trimmed, lower case) that mean no outcome yet, as a blank does
    pending_values: tuple[str, ...] = ()
    #: class -> its titles as the system writes them (lower case) that the force has checked mean
    #: the shipped list's offence: a run does not warn of them. What a run says, not how the
    #: extract is read: left out of the definition's repr, so of the cache entry's key
    class_titles_checked: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def files(self) -> tuple[FileSpec, FileSpec, FileSpec]:
        return (self.crimes, self.people, self.charges)


def is_pattern(filename: str) -> bool:
    """The file name is a glob pattern (`*`, `?`, `[...]`): several files read as one table."""
    return any(character in filename for character in "*?[")


def concrete_files(directory: Path, spec: FileSpec) -> list[FileSpec]:
    """The spec itself, or for a pattern one spec per file of `directory` it matches, sorted by
    name; none matching is the missing file's one-line error, naming the pattern."""
    if not is_pattern(spec.filename):
        return [spec]
    folder = Path(directory)
    names = sorted(
        path.name
        for path in (folder.iterdir() if folder.is_dir() else ())
        if fnmatchcase(path.name, spec.filename) and path.is_file()
    )
    if not names:
        raise ExtractError(f"{spec.filename}: file not found in {directory} (no file matches)")
    return [replace(spec, filename=name, pattern=spec.filename) for name in names]


def file_of(spec: FileSpec, name: str) -> bool:
    """The file `name` is the spec's, or one its pattern matches."""
    return spec.filename == name or (is_pattern(spec.filename) and fnmatchcase(name, spec.filename))


def files_of(
    sources: tuple[SourceDefinition, ...],
    tables: tuple[TableName, ...],
    directory: Path | None = None,
) -> list[tuple[SourceDefinition, FileSpec]]:
    """The files of these tables, table by table, each table's from the oldest system first; with
    `directory`, a pattern's files in it, in name order (`concrete_files`)."""
    return [
        (source, concrete)
        for table in tables
        for source in sources
        for spec in source.files
        if spec.table == table
        for concrete in ([spec] if directory is None else concrete_files(directory, spec))
    ]


def single_byte_table(encoding: str) -> str | None:
    """The 256 characters of an 8-bit encoding whose first 128 are ASCII (Windows-1252, the ISO
    8859 family, Latin-1), undefined bytes as U+FFFE; None for any other encoding (UTF-8, or a
    multi-byte one such as Shift JIS or UTF-16, which byte-wise parsing would cut apart)."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return None
    if codec.name == "iso8859-1":
        return "".join(map(chr, range(256)))
    module = getattr(codec.decode, "__module__", None) or ""
    table = (
        getattr(importlib.import_module(module), "decoding_table", None)
        if module.startswith("encodings.")
        else None
    )
    if (
        not isinstance(table, str)
        or len(table) != 256
        or table[:128] != "".join(map(chr, range(128)))
    ):
        return None
    return table


def missing_fields(sources: tuple[SourceDefinition, ...], field_name: str) -> list[str]:
    """The systems whose export has no column for this canonical field."""
    return [
        source.system
        for source in sources
        if not any(field_name in spec.columns for spec in source.files)
    ]
