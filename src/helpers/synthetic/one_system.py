"""The synthetic force written as another force might export it: one crime system, another layout.

The same model (`SyntheticTruth`) as the two systems' six files, written as a force with a single
system would hold it: every crime once, as it stands now, under the date it was first recorded;
each person once (one reference each, five digits); each charge once. Its export differs from
both of today's in every way a force profile can say: ISO 8859-15, `;`-separated, CRLF, dates as
`04-Dec-2017 10:30` (month names), classes `088.01`, outcomes as bare numbers, PNC IDs with
four-digit years and unpadded serials. `profiles/examples/synthetic-one-system.yaml` describes it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.synthetic.truth import SyntheticTruth

ENCODING = "iso8859-15"
DELIMITER = ";"
#: the English month abbreviations the export writes (`%b`), whatever the machine's locale
_MONTHS = np.array(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
)
#: characters ISO 8859-15 lacks, as a keyboard would write them
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})

FILES = {
    "crimes": "occurrences.csv",
    "people": "occurrence_persons.csv",
    "charges": "occurrence_charges.csv",
}


def occurrence_ref(crime_id: pd.Series | np.ndarray) -> np.ndarray:
    """A crime's reference on the one system: `OCC-` and seven digits."""
    return np.array([f"OCC-{i + 1:07d}" for i in np.asarray(crime_id)], dtype=object)


def person_ref(individual_id: pd.Series | np.ndarray, width: int) -> np.ndarray:
    """A person's reference: a number of `width` digits (five for up to 90,000 people)."""
    return np.array([f"{i + 10_000:0{width}d}" for i in np.asarray(individual_id)], dtype=object)


def person_width(truth: SyntheticTruth) -> int:
    return max(5, len(str(len(truth.individuals) + 10_000)))


def _day_month_year(moments: pd.Series, with_time: bool) -> pd.Series:
    """`04-Dec-2017` (and ` 10:30`), blank where there is no moment."""
    known = moments.notna()
    out = pd.Series("", index=moments.index, dtype=object)
    days = moments[known]
    text = (
        days.dt.strftime("%d-")
        + _MONTHS[days.dt.month.to_numpy() - 1]
        + days.dt.strftime("-%Y")
        + (days.dt.strftime(" %H:%M") if with_time else "")
    )
    out[known] = text
    return out


def write_one_system(truth: SyntheticTruth, out: str | Path) -> dict[str, Path]:
    """Write the model's crimes, people and charges as the one system's three files."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    crimes, links, people, charges = truth.crimes, truth.links, truth.individuals, truth.charges
    width = person_width(truth)
    files = {table: out / name for table, name in FILES.items()}

    outcome = crimes["outcome"].astype("Int64")
    _write(
        pd.DataFrame(
            {
                "Occurrence No": occurrence_ref(crimes["crime_id"]),
                "Reported": _day_month_year(crimes["recorded"], with_time=True),
                "HOCR": crimes["ho_class"].str.replace("/", ".", regex=False),
                "State": np.where(crimes["cancelled"], "Cancelled", "Recorded"),
                "HO Outcome": outcome.astype(str).where(outcome.notna(), ""),
                "Summary": crimes["circumstances"].fillna(""),
            }
        ),
        files["crimes"],
    )

    person = people.set_index("individual_id").loc[links["individual_id"]]
    pnc = np.where(
        person["pnc_year"].notna(),
        person["pnc_year"].astype(str)
        + "/"
        + person["pnc_serial"].astype(str)
        + person["pnc_check"].fillna("").astype(str),
        "",
    )
    given = person["forename"] + (" " + person["middle_name"]).fillna("")
    _write(
        pd.DataFrame(
            {
                "Occurrence No": occurrence_ref(links["crime_id"]),
                "Person Ref": person_ref(links["individual_id"], width),
                "PNCID": pnc,
                "Involvement": links["role"].str.capitalize().to_numpy(),
                "Family Name": person["surname"].to_numpy(),
                "Given Names": given.to_numpy(),
                "Born": _day_month_year(person["dob"].reset_index(drop=True), with_time=False),
            }
        ),
        files["people"],
    )
    _write(
        pd.DataFrame(
            {
                "Occurrence No": occurrence_ref(charges["crime_id"]),
                "Person Ref": person_ref(charges["individual_id"], width),
                "Charged On": _day_month_year(charges["charge_date"], with_time=False),
                "Offence Code": charges["cjs_code"],
            }
        ),
        files["charges"],
    )
    return files


def _write(frame: pd.DataFrame, path: Path) -> None:
    text = frame.astype(str).apply(lambda column: column.str.translate(_PLAIN))
    text.to_csv(path, index=False, sep=DELIMITER, encoding=ENCODING, lineterminator="\r\n")
