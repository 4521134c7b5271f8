"""Source definitions: how each crime system writes its extract files.

A *source definition* says, for one system, which files it exports, which column holds which
canonical field, the encoding, and how dates, Home Office codes, outcomes, statuses and PNC IDs
are written. The loader (`helpers.extracts.canonical`) reads every system through its definition,
so a force on another system (Niche, Athena, ...) adds a definition here, not new branches in the
counting.

The canonical fields are:

crimes   crime_ref, legacy_ref, recorded_at, original_recorded_at, ho_class, status, outcome,
         circumstances
people   crime_ref, person_ref, legacy_person_ref, pnc_id, role, surname, forenames, date_of_birth
charges  crime_ref, person_ref, charge_date, cjs_code
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

TableName = Literal["crimes", "people", "charges"]
CrimeState = Literal["live", "cancelled", "migrated"]


#: canonical fields holding personal data: read only when a step needs them
PERSONAL_FIELDS = frozenset({"surname", "forenames", "date_of_birth"})


@dataclass(frozen=True)
class FileSpec:
    """One exported file: its name and which column holds each canonical field."""

    table: TableName
    filename: str
    columns: Mapping[str, str]  # canonical field -> column header in the file


@dataclass(frozen=True)
class SourceDefinition:
    """Everything the loader needs to know about one crime system's export."""

    system: str
    encoding: Literal["cp1252", "utf-8"]
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
    pnc_pattern: str
    #: each value of the status column -> live, cancelled or migrated (to a newer system)
    status_values: Mapping[str, CrimeState]
    #: the system this one's `legacy_ref` / `legacy_person_ref` point into, if any
    legacy_system: str | None = None
    #: text for the briefing's method note
    description: str = ""
    #: switch-over: when this system started / stopped recording new crimes (local time), if known
    recording_from: str | None = None
    recording_until: str | None = None

    @property
    def files(self) -> tuple[FileSpec, FileSpec, FileSpec]:
        return (self.crimes, self.people, self.charges)


def files_of(
    sources: tuple[SourceDefinition, ...], tables: tuple[TableName, ...]
) -> list[tuple[SourceDefinition, FileSpec]]:
    """The files of these tables, table by table, each table's from the oldest system first."""
    return [
        (source, spec)
        for table in tables
        for source in sources
        for spec in source.files
        if spec.table == table
    ]


CMS = SourceDefinition(
    system="CMS",
    encoding="cp1252",
    crimes=FileSpec(
        "crimes",
        "CMS_CRIMES.csv",
        {
            "crime_ref": "CRIME NO",
            "recorded_at": "DATE RECORDED",
            "ho_class": "HO CLASS",
            "status": "CRIME STATUS",
            "outcome": "HO OUTCOME",
            "circumstances": "CIRCUMSTANCES",
        },
    ),
    people=FileSpec(
        "people",
        "CMS_NOMINALS.csv",
        {
            "crime_ref": "CRIME NO",
            "person_ref": "NOMINAL NO",
            "pnc_id": "PNC ID",
            "role": "INVOLVEMENT",
            "surname": "SURNAME",
            "forenames": "FORENAMES",
            "date_of_birth": "DOB",
        },
    ),
    charges=FileSpec(
        "charges",
        "CMS_CHARGES.csv",
        {
            "crime_ref": "CRIME NO",
            "person_ref": "NOMINAL NO",
            "charge_date": "CHARGE DATE",
            "cjs_code": "CJS CODE",
        },
    ),
    datetime_formats=("%d/%m/%Y %H:%M", "%d/%m/%Y"),
    date_format="%d/%m/%Y",
    ho_class_pattern=r"^(?P<cls>\d{3})/(?P<sub>\d{2})$",
    outcome_pattern=r"^(?P<num>\d{1,2})$",
    pnc_pattern=r"^(?P<year>\d{4})/(?P<serial>\d{7})(?P<check>[A-Z])$",
    status_values={
        "CONFIRMED": "live",
        "CRIMED": "live",
        "NO CRIME": "cancelled",
        "MIGRATED": "migrated",
    },
    recording_until="2017-12-04 07:00",
    description="the legacy Crime Management System (CMS), which recorded crimes until the "
    "switch-over on 4 December 2017 at 07:00",
)

CONNECT = SourceDefinition(
    system="Connect",
    encoding="utf-8",
    crimes=FileSpec(
        "crimes",
        "connect_crimes.csv",
        {
            "crime_ref": "Crime Reference",
            "legacy_ref": "Legacy Crime No",
            "recorded_at": "Recorded Date",
            "original_recorded_at": "Original Recorded Date",
            "ho_class": "HO Class",
            "status": "Crime Status",
            "outcome": "Outcome",
            "circumstances": "Circumstances",
        },
    ),
    people=FileSpec(
        "people",
        "connect_persons.csv",
        {
            "crime_ref": "Crime Reference",
            "person_ref": "Person ID",
            "legacy_person_ref": "Legacy Nominal No",
            "pnc_id": "PNC ID",
            "role": "Role",
            "surname": "Surname",
            "forenames": "Forename",
            "date_of_birth": "Date of Birth",
        },
    ),
    charges=FileSpec(
        "charges",
        "connect_charges.csv",
        {
            "crime_ref": "Crime Reference",
            "person_ref": "Person ID",
            "charge_date": "Charge Date",
            "cjs_code": "CJS Offence Code",
        },
    ),
    datetime_formats=("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"),
    date_format="%Y-%m-%d",
    ho_class_pattern=r"^(?P<cls>\d{1,3})/(?P<sub>\d{1,2})$",
    # `OC01 – Charge/Summons`: the number is what counts, the label varies
    outcome_pattern=r"^OC(?P<num>\d{1,2})\b",
    pnc_pattern=r"^(?P<year>\d{2})/(?P<serial>\d{1,7})(?P<check>[A-Z])$",
    status_values={
        "Confirmed": "live",
        "Cancelled - C1": "cancelled",
        "Cancelled - C2": "cancelled",
        "Cancelled - C3": "cancelled",
        "Cancelled - C4": "cancelled",
    },
    legacy_system="CMS",
    recording_from="2017-12-04 07:00",
    description="Connect, which has recorded every crime since the switch-over; crimes still "
    "relevant at switch-over were migrated into it from CMS",
)

#: the systems of this force, oldest first: a migrated crime's newer copy supersedes its older row
FORCE_SOURCES: tuple[SourceDefinition, ...] = (CMS, CONNECT)
