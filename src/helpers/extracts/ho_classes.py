"""Home Office offence classifications: their one written form (`088/01`) and their titles.

Standard library only: a parameters file's classes are read with it before any data library
loads, and the extracts' columns (`codes.normalise_ho_class`) are written in the same form.
"""

from __future__ import annotations

import re

#: `088/01`: the class zero-padded to 3 digits, the subclass to 2
CLASS_DIGITS, SUBCLASS_DIGITS = 3, 2

HO_CLASS_TITLES: dict[str, str] = {
    "088/01": "Meeting a female child following sexual grooming",
    "088/02": "Meeting a male child following sexual grooming",
    "071/17": "Sexual communication with a child",
}


def ho_class_code(cls: int | str, sub: int | str) -> str:
    """A class and subclass in the one written form: (88, 1) -> `088/01`."""
    return f"{int(cls):0{CLASS_DIGITS}d}/{int(sub):0{SUBCLASS_DIGITS}d}"


def normalise_ho_class_code(code: str) -> str:
    """One classification code written by a person (a parameters file): `88/1` -> `088/01`."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{1,2})\s*", str(code), re.ASCII)
    if not match:
        raise ValueError(f"{code!r} is not a Home Office classification such as 088/01")
    return ho_class_code(match[1], match[2])
