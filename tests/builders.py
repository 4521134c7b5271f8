"""Small hand-made extracts for the tests: six files in exactly the documented formats.

Each row is given as a dict of the columns that matter to the test; every other column gets a
plain default (a class's title none: a test that gives one gives the title it means). Files are written in each system's encoding and line endings, so the tests
exercise the real reading path.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = SHARED / "sample-extracts"

HEADERS = {
    "CMS_CRIMES.csv": ["CRIME NO", "DATE RECORDED", "DATE COMMITTED", "HO CLASS", "OFFENCE DESCRIPTION", "CRIME STATUS", "HO OUTCOME", "OUTCOME DATE", "CIRCUMSTANCES"],
    "CMS_NOMINALS.csv": ["CRIME NO", "NOMINAL NO", "PNC ID", "INVOLVEMENT", "SURNAME", "FORENAMES", "DOB"],
    "CMS_CHARGES.csv": ["CRIME NO", "NOMINAL NO", "CHARGE DATE", "CJS CODE", "OFFENCE WORDING"],
    "connect_crimes.csv": ["Crime Reference", "Legacy Crime No", "Recorded Date", "Original Recorded Date", "Committed Date", "HO Class", "HO Class Description", "Crime Status", "Outcome", "Outcome Date", "Circumstances"],
    "connect_persons.csv": ["Crime Reference", "Person ID", "Legacy Nominal No", "PNC ID", "Role", "Surname", "Forename", "Date of Birth"],
    "connect_charges.csv": ["Crime Reference", "Person ID", "Charge Date", "CJS Offence Code", "Charge Wording"],
}

DEFAULTS = {
    "CMS_CRIMES.csv": {"DATE RECORDED": "01/06/2016 10:00", "HO CLASS": "088/01", "CRIME STATUS": "CONFIRMED", "CIRCUMSTANCES": "Suspect met the victim after online contact."},
    "CMS_NOMINALS.csv": {"INVOLVEMENT": "SUSPECT", "SURNAME": "SMITH", "FORENAMES": "JOHN", "DOB": "01/01/1980"},
    "CMS_CHARGES.csv": {"CHARGE DATE": "01/06/2017", "CJS CODE": "SX03225", "OFFENCE WORDING": "Meet a girl under 16 following grooming"},
    "connect_crimes.csv": {"Recorded Date": "2017-12-10T10:00:00", "HO Class": "88/1", "Crime Status": "Confirmed", "Circumstances": "Suspect met the victim after online contact."},
    "connect_persons.csv": {"Role": "Suspect", "Surname": "Smith", "Forename": "John", "Date of Birth": "1980-01-01"},
    "connect_charges.csv": {"Charge Date": "2017-12-20", "CJS Offence Code": "SX03225", "Charge Wording": "Meet a girl under 16 following grooming"},
}

ENCODING = {name: ("cp1252" if name.startswith("CMS") else "utf-8-sig") for name in HEADERS}
LINE_END = {name: ("\r\n" if name.startswith("CMS") else "\n") for name in HEADERS}


def csv_text(name: str, rows: list[dict], header: list[str] | None = None) -> str:
    """The file's text: header, then each row with defaults filled in."""
    header = header or HEADERS[name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END[name])
    writer.writerow(header)
    for row in rows:
        full = {**DEFAULTS[name], **row}
        writer.writerow([full.get(column, "") for column in header])
    return buffer.getvalue()


def write_extract(directory: Path, **files: list[dict]) -> Path:
    """Write all six files (empty but for the header where not given). Keyword names are the file
    names without `.csv`: `CMS_CRIMES=[...]`, `connect_persons=[...]`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in HEADERS:
        rows = files.get(name.removesuffix(".csv"), [])
        (directory / name).write_bytes(csv_text(name, rows).encode(ENCODING[name]))
    return directory


def cms_crime(ref: str, recorded: str = "01/06/2016 10:00", **columns) -> dict:
    return {"CRIME NO": ref, "DATE RECORDED": recorded, **columns}


def connect_crime(ref: str, recorded: str = "2017-12-10T10:00:00", **columns) -> dict:
    return {"Crime Reference": ref, "Recorded Date": recorded, **columns}


def migrated(cms_ref: str, connect_ref: str, original: str, cms_class="088/01", connect_class="88/1", **connect_columns) -> tuple[dict, dict]:
    """A CMS crime migrated at switch-over and its Connect copy (recorded by the migration run)."""
    day, month, rest = original[8:10], original[5:7], original[:4]
    cms = cms_crime(cms_ref, f"{day}/{month}/{rest} {original[11:16]}", **{"HO CLASS": cms_class, "CRIME STATUS": "MIGRATED"})
    connect = connect_crime(
        connect_ref,
        "2017-12-04T08:15:00",
        **{"Legacy Crime No": cms_ref, "Original Recorded Date": original, "HO Class": connect_class, **connect_columns},
    )
    return cms, connect


def sample_or_synthetic(tmp_path_factory) -> Path:
    """The shared sample export where it is, else a synthetic one of 20,000 crimes (for a module's
    `extracts` fixture)."""
    if (SAMPLE / "CMS_CRIMES.csv").is_file():
        return SAMPLE
    from helpers.synthetic.generator import generate_extracts

    folder = tmp_path_factory.mktemp("synthetic") / "extracts"
    generate_extracts(folder, n_crimes=20_000)
    return folder
