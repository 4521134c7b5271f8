"""Codes and identifiers written differently by each system, brought to one canonical form.

Every function takes a pandas Series of raw strings (blank = no value) and a pattern from the
system's source definition, and returns the canonical values with `<NA>` where the raw value is
blank or unreadable. `invalid_mask` tells the two apart, so the loader can quarantine what is
unreadable instead of dropping it.
"""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Home Office outcome types in force (1-22); 19 is Action Fraud only, but it is on the list
HO_OUTCOMES = range(1, 23)

#: the Home Office's published outcome titles (short)
HO_OUTCOME_TITLES: dict[int, str] = {
    1: "Charge/summons",
    2: "Caution – youths",
    3: "Caution – adults",
    4: "Taken into consideration",
    5: "Offender died",
    6: "Penalty notice for disorder",
    7: "Cannabis/khat warning",
    8: "Community resolution",
    9: "Prosecution not in the public interest (CPS)",
    10: "Formal action not in the public interest (police)",
    11: "Prosecution prevented – suspect under age",
    12: "Prosecution prevented – suspect too ill",
    13: "Prosecution prevented – victim or key witness dead or too ill",
    14: "Evidential difficulties: suspect not identified; victim does not support action",
    15: "Evidential difficulties: suspect identified; victim supports action",
    16: "Evidential difficulties: victim does not support action",
    17: "Prosecution time limit expired",
    18: "Investigation complete – no suspect identified",
    19: "National Fraud Intelligence Bureau filed",
    20: "Further investigation by another body or agency",
    21: "Further investigation not in the public interest (police)",
    22: "Diversionary, educational or intervention activity",
}

#: titles of the Home Office classes this project names in its tables and notes
HO_CLASS_TITLES: dict[str, str] = {
    "088/01": "Meeting a female child following sexual grooming",
    "088/02": "Meeting a male child following sexual grooming",
    "071/17": "Sexual communication with a child",
}

PENDING = "pending"


def blank_mask(values: pd.Series) -> pd.Series:
    """True where a raw value is empty or missing (`""` means "no value" in the extracts)."""
    return values.isna() | (values.astype("string").str.strip() == "")


def invalid_mask(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    """True where a raw value was given but could not be read."""
    return ~blank_mask(raw) & parsed.isna()


def parse_datetimes(values: pd.Series, formats: tuple[str, ...] | list[str]) -> pd.Series:
    """Parse local date-times written in any of `formats` (first match wins); `NaT` otherwise.

    Uses Arrow's strptime, which rejects impossible dates such as 31/02/2016 (they become `NaT`,
    for the loader to quarantine).
    """
    array = pa.array(values.astype("string").str.strip(), type=pa.string())
    result = None
    for fmt in formats:
        parsed = pc.strptime(array, format=fmt, unit="s", error_is_null=True)
        # strptime accepts trailing text for some formats; a round trip proves an exact match
        exact = pc.equal(pc.strftime(parsed, format=fmt), array)
        parsed = pc.if_else(exact, parsed, pa.scalar(None, type=parsed.type))
        result = parsed if result is None else pc.coalesce(result, parsed)
    return pd.Series(result.to_pandas(), index=values.index).astype("datetime64[s]")


def parse_dates(values: pd.Series, fmt: str) -> pd.Series:
    """Parse dates written in `fmt`; `NaT` for blank or impossible dates."""
    return parse_datetimes(values, (fmt,))


def normalise_ho_class(values: pd.Series, pattern: str) -> pd.Series:
    """`88/1` and `088/01` -> `088/01`: the class zero-padded to 3 digits, subclass to 2."""
    parts = values.astype("string").str.strip().str.extract(pattern)
    cls = pd.to_numeric(parts["cls"], errors="coerce").astype("Int64")
    sub = pd.to_numeric(parts["sub"], errors="coerce").astype("Int64")
    text = cls.astype("string").str.zfill(3) + "/" + sub.astype("string").str.zfill(2)
    return text.where(cls.notna() & sub.notna())


def parse_outcome(values: pd.Series, pattern: str) -> pd.Series:
    """The Home Office outcome number (`15`, `01`, `OC01 – Charge/Summons` -> 15, 1, 1).

    Numbers outside the Home Office list come back as `<NA>`; `invalid_mask` finds them.
    """
    digits = values.astype("string").str.strip().str.extract(pattern)["num"]
    number = pd.to_numeric(digits, errors="coerce").astype("Int64")
    return number.where(number.between(HO_OUTCOMES.start, HO_OUTCOMES.stop - 1))


def normalise_pnc_id(values: pd.Series, pattern: str) -> pd.Series:
    """PNC IDs in one form, `YY/SERIAL C` with the serial as a plain number: `00/448754A`.

    CMS writes `2000/0448754A`, Connect `00/448754A`; two are the same individual's when the
    two-digit year, the serial as a number and the check letter agree. Hand-keyed stray spaces
    and lower case are forgiven.
    """
    cleaned = values.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    parts = cleaned.str.extract(pattern)
    serial = pd.to_numeric(parts["serial"], errors="coerce").astype("Int64")
    text = parts["year"].str[-2:] + "/" + serial.astype("string") + parts["check"]
    return text.where(parts["year"].notna() & serial.notna())


def normalise_cjs_code(values: pd.Series) -> pd.Series:
    """CJS offence codes upper-case without spaces (`sx03225a ` -> `SX03225A`); blank -> NA."""
    code = values.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    return code.where(code != "")


def outcome_label(outcome: pd.Series) -> pd.Series:
    """The key used in `outcomes_by_year`: the outcome number as text, or `pending`."""
    return outcome.astype("string").fillna(PENDING)


def normalise_ho_class_code(code: str) -> str:
    """One classification code written by a person (a parameters file): `88/1` -> `088/01`."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{1,2})\s*", str(code))
    if not match:
        raise ValueError(f"{code!r} is not a Home Office classification such as 088/01")
    return f"{int(match[1]):03d}/{int(match[2]):02d}"


def local_day_bounds(day_from, day_to) -> tuple[np.datetime64, np.datetime64]:
    """Whole local days, inclusive: [from 00:00, to + 1 day 00:00)."""
    start = np.datetime64(datetime(day_from.year, day_from.month, day_from.day), "s")
    end = np.datetime64(datetime(day_to.year, day_to.month, day_to.day), "s") + np.timedelta64(1, "D")
    return start, end
