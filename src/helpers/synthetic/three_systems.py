"""The synthetic force after a second migration: CMS, then Connect, then a third system, Niche.

The force's two systems' six files as the generator writes them, then a third system that took
over, at the moment the extract was taken, every Connect crime recorded since 2016: each is a copy
in Niche (its own reference, the Connect one as its legacy reference, the date it was first
recorded, on CMS for a crime migrated twice), its Connect row marked `Migrated`; its people and
charges copied, each person keeping the Connect record it came from. The crimes' true state is the
model's (`SyntheticTruth`): a request's figures are the same as on the two systems.
`profiles/examples/synthetic-three-systems.yaml` describes the export.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.synthetic.truth import SyntheticTruth

#: Connect crimes recorded from this day were migrated into Niche
NICHE_FROM = datetime(2016, 1, 1)
FILES = {
    "crimes": "niche_crimes.csv",
    "people": "niche_people.csv",
    "charges": "niche_charges.csv",
}
MIGRATED = "Migrated"  # how Connect marks a crime that moved on to Niche


def niche_ref(crime_id: pd.Series) -> np.ndarray:
    return np.array([f"NI{i + 1:08d}" for i in crime_id], dtype=object)


def write_three_systems(truth: SyntheticTruth, out: str | Path) -> dict[str, Path]:
    """Add Niche's three files to the two systems' six in `out`, and mark Connect's migrated
    crimes; the nine files by name."""
    out = Path(out)
    second = pd.Timestamp(truth.taken_on)  # the switch-over: the day the extract was taken
    crimes = truth.crimes
    moved = crimes[crimes["in_connect"] & (crimes["recorded"] >= pd.Timestamp(NICHE_FROM))]
    ref_of = dict(zip(moved["connect_ref"], niche_ref(moved["crime_id"]), strict=True))

    connect = _read(out / "connect_crimes.csv")
    on_niche = connect["Crime Reference"].isin(list(ref_of))
    connect.loc[on_niche, "Crime Status"] = MIGRATED
    _write(connect, out / "connect_crimes.csv", bom=True)

    outcome = moved["outcome"].astype("Int64")
    classes = moved["ho_class"].str.replace("/", "-", regex=False)
    _write(
        pd.DataFrame(
            {
                "Niche Ref": niche_ref(moved["crime_id"]),
                "Connect Ref": moved["connect_ref"].to_numpy(),
                "Created": second.strftime("%Y-%m-%d %H:%M:%S"),
                "First Recorded": moved["recorded"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
                "HO Code": classes.to_numpy(),
                "Status": np.where(moved["cancelled"], "Cancelled", "Recorded"),
                "Outcome": ("Outcome " + outcome.astype(str)).where(outcome.notna(), "").to_numpy(),
                "Details": moved["circumstances"].fillna("").to_numpy(),
            }
        ),
        out / FILES["crimes"],
    )

    people = _read(out / "connect_persons.csv")
    people = people[people["Crime Reference"].isin(list(ref_of))]
    person_ids = sorted(set(people["Person ID"]))
    niche_person = dict(
        zip(person_ids, [f"NP{i + 1:07d}" for i in range(len(person_ids))], strict=True)
    )
    _write(
        pd.DataFrame(
            {
                "Niche Ref": people["Crime Reference"].map(ref_of),
                "Person No": people["Person ID"].map(niche_person),
                "Created From": people["Person ID"],
                "PNC": people["PNC ID"],
                "Role": people["Role"],
                "Surname": people["Surname"],
                "Forename": people["Forename"],
                "DOB": people["Date of Birth"],
            }
        ),
        out / FILES["people"],
    )

    charges = _read(out / "connect_charges.csv")
    charges = charges[charges["Crime Reference"].isin(list(ref_of))]
    _write(
        pd.DataFrame(
            {
                "Niche Ref": charges["Crime Reference"].map(ref_of),
                "Person No": charges["Person ID"].map(niche_person),
                "Charged": charges["Charge Date"],
                "CJS Code": charges["CJS Offence Code"],
            }
        ),
        out / FILES["charges"],
    )
    return {**truth.files, **{name: out / name for name in FILES.values()}}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write(frame: pd.DataFrame, path: Path, bom: bool = False) -> None:
    frame.to_csv(path, index=False, encoding="utf-8-sig" if bom else "utf-8", lineterminator="\n")
