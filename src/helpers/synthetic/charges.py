"""The charges: CJS offence codes and wordings, and who is charged with what, when.

A charged crime's first suspect is charged on the outcome day, others (and further charges) up to
20 days before; a migrated crime charged before switch-over is charged under its class then. s15
codes carry a suffix (A attempt, B aiding, C conspiracy, E encouraging) and s15A (SX03224) did not
exist before 3 April 2017. A further charge of the same code on the same day is a second count of
that offence: a row of its own in each system holding it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.synthetic.arrays import epoch_day, group_rank
from helpers.synthetic.classes import CLS_CODE, CLS_FAMILY, CLS_INDEX
from helpers.synthetic.contract import S15A_IN_FORCE
from helpers.synthetic.crimes import CrimeModel
from helpers.synthetic.involvements import Involvements

# CJS offence codes and wordings
S15_GIRL = ["SX03225", "SX03210", "SX03048"]
S15_BOY = ["SX03226", "SX03211", "SX03049"]
S15_BASE_W = [0.55, 0.30, 0.15]
SUFFIXES = ["", "A", "B", "C", "E"]
SUFFIX_W = [0.80, 0.12, 0.04, 0.02, 0.02]
OTHER_WORDING = {
    "SX03224": "Sexual communication with a child - SOA 2003 s.15A",
    "SX03047": "Arranging or facilitating a child sex offence - SOA 2003 s.14",
    "SX03010": "Causing or inciting a girl under 16 to engage in sexual activity - SOA 2003 s.10",
    "SX03005": "Rape of a girl under 13 - SOA 2003 s.5",
    "SX03066": "Exposure - SOA 2003 s.66",
    "PC78001": (
        "Making an indecent photograph of a child - Protection of Children Act 1978 s.1(1)(a)"
    ),
    "TH68001": "Theft - Theft Act 1968 s.1",
    "TH68010": "Burglary (dwelling) - Theft Act 1968 s.9",
    "OF61047": "Assault occasioning actual bodily harm - OAPA 1861 s.47",
    "CJ88116": "Common assault - Criminal Justice Act 1988 s.39",
    "CD71001": "Criminal damage - Criminal Damage Act 1971 s.1(1)",
    "PU86003": "Threatening behaviour - Public Order Act 1986 s.4",
    "PU86011": "Causing harassment, alarm or distress - Public Order Act 1986 s.5",
}


def _s15_wording(code: str) -> str:
    who = "girl" if code[:7] in S15_GIRL else "boy"
    suffix = code[7:]
    act = f"meeting a {who} under 16 following sexual grooming"
    if suffix == "":
        return f"Meeting a {who} under 16 following sexual grooming etc - SOA 2003 s.15"
    if suffix == "A":
        return f"Attempting {act} - SOA 2003 s.15 and Criminal Attempts Act 1981 s.1(1)"
    if suffix == "B":
        return (
            f"Aiding and abetting {act} - SOA 2003 s.15 and Accessories and Abettors Act 1861 s.8"
        )
    if suffix == "C":
        return f"Conspiracy to commit {act} - SOA 2003 s.15 and Criminal Law Act 1977 s.1"
    return f"Encouraging or assisting {act} - SOA 2003 s.15 and Serious Crime Act 2007 s.46"


WORDING: dict[str, str] = dict(OTHER_WORDING)
for _base in S15_GIRL + S15_BOY:
    for _sfx in SUFFIXES:
        WORDING[_base + _sfx] = _s15_wording(_base + _sfx)

# Primary charge code per class (codes, weights); "S15G"/"S15B" draw an s15 code (girl/boy) with
# a suffix
PRIMARY_CODES: dict[str, tuple[list[str], list[float]]] = {
    "008/06": (["OF61047", "CJ88116"], [0.8, 0.2]),
    "105/01": (["CJ88116", "OF61047"], [0.85, 0.15]),
    "028/03": (["TH68010"], [1.0]),
    "039/00": (["TH68001"], [1.0]),
    "046/00": (["TH68001"], [1.0]),
    "049/00": (["TH68001"], [1.0]),
    "058/01": (["CD71001"], [1.0]),
    "058/03": (["CD71001"], [1.0]),
    "125/12": (["PU86003", "PU86011"], [0.6, 0.4]),
    "088/01": (["S15G"], [1.0]),
    "088/02": (["S15B"], [1.0]),
    "071/17": (["SX03224", "S15G"], [0.82, 0.18]),  # s15 charges on crimes classed otherwise
    "071/01": (["SX03047", "S15G"], [0.85, 0.15]),
    "022/02": (["SX03010", "SX03005", "S15G"], [0.6, 0.28, 0.12]),
    "019/11": (["SX03005", "SX03010"], [0.8, 0.2]),
    "088/09": (["SX03066"], [1.0]),
}
# Further charges on the same crime and person ("ATT" = the attempt/complete twin of the primary
# s15 code)
SECONDARY_CODES: dict[str, tuple[list[str], list[float]]] = {
    "ord": (["SAME", "CJ88116", "CD71001", "TH68001", "PU86003"], [0.4, 0.15, 0.15, 0.15, 0.15]),
    "groom": (["ATT", "SX03224", "SX03010", "PC78001", "SX03047"], [0.35, 0.25, 0.15, 0.15, 0.10]),
    "sex": (["SX03224", "SX03010", "PC78001", "SX03047", "ATT"], [0.25, 0.25, 0.25, 0.15, 0.10]),
}


@dataclass(frozen=True)
class DrawnCharges:
    """One row per true charge (a charge copied into both systems is ONE charge)."""

    link: np.ndarray  # the involvement charged
    crime: np.ndarray
    ind: np.ndarray
    day: np.ndarray
    code: np.ndarray


def draw_charges(rng: np.random.Generator, c: CrimeModel, inv: Involvements) -> DrawnCharges:
    ch_l, k = _charged_links(rng, c, inv)
    ch_c = inv.crime[ch_l]
    out_day = c.now.outcome_day[ch_c]
    primary_of_crime = (inv.sus_rank[ch_l] == 0) & (k == 0)
    ch_day = np.where(primary_of_crime, out_day, out_day - rng.integers(0, 21, size=len(ch_l)))
    ch_day = np.maximum(ch_day, c.recording.rec_day[ch_c])
    pre_switch = ch_day < c.span.switch_day
    ch_cls = np.where(
        c.switchover.migrated[ch_c] & pre_switch, c.switchover.cls[ch_c], c.now.cls[ch_c]
    )
    boy = c.texts.sex_of_child[ch_c] == "M"
    code = _codes(rng, ch_l, k, ch_cls, ch_day, boy, len(inv.crime))
    # a further charge of the same code on the same day is a second count: a row of its own (the
    # contract: one row per charge), as a force charges two counts of one offence
    return DrawnCharges(link=ch_l, crime=ch_c, ind=inv.ind[ch_l], day=ch_day, code=code)


def _charged_links(
    rng: np.random.Generator, c: CrimeModel, inv: Involvements
) -> tuple[np.ndarray, np.ndarray]:
    """The involvement of each charge (a charged crime's first suspect and maybe others, with one
    to three charges each), and the charge's rank within its involvement."""
    crime_of, m, groom = inv.crime, len(inv.crime), c.recording.groom
    charged_crime = c.now.outcome == 1
    is_ch_link = (
        (inv.role == 1) & charged_crime[crime_of] & ((inv.sus_rank == 0) | (rng.random(m) < 0.6))
    )
    ch_link = np.flatnonzero(is_ch_link)
    lc = crime_of[ch_link]
    rr = rng.random(len(ch_link))
    n_ch = 1 + (rr < np.where(groom[lc], 0.45, 0.2)) + (rr < np.where(groom[lc], 0.10, 0.04))
    ch_l = np.repeat(ch_link, n_ch)
    return ch_l, group_rank(ch_l)


def _codes(
    rng: np.random.Generator,
    ch_l: np.ndarray,
    k: np.ndarray,
    ch_cls: np.ndarray,
    ch_day: np.ndarray,
    boy: np.ndarray,
    m: int,
) -> np.ndarray:
    """A primary code for each charged (crime, person), then further charges."""
    prim = _choice_by_class(rng, ch_cls, PRIMARY_CODES, lambda code: code)
    s15_draw = _draw_s15(rng, len(ch_l), boy)
    prim = np.where(prim == "S15G", s15_draw, np.where(prim == "S15B", s15_draw, prim))
    first_of_link = k == 0
    link_primary = np.empty(m, dtype=object)
    link_primary[ch_l[first_of_link]] = prim[first_of_link]
    lp = link_primary[ch_l]
    sec = _choice_by_class(rng, ch_cls, SECONDARY_CODES, lambda code: CLS_FAMILY[CLS_INDEX[code]])
    lp_base = pd.Series(lp, dtype=object).str[:7].to_numpy(dtype=object)
    lp_is_s15 = np.isin(lp_base, S15_GIRL + S15_BOY)
    twin = np.where(lp == lp_base, lp_base + "A", lp_base)  # complete <-> attempt
    att_fallback = np.where(boy, "SX03226A", "SX03225A")
    sec = np.where(sec == "ATT", np.where(lp_is_s15, twin, att_fallback), sec)
    sec = np.where(sec == "SAME", lp, sec)
    sec = np.where((sec == "SX03224") & (ch_day < epoch_day(S15A_IN_FORCE)), "SX03010", sec)
    code = np.where(first_of_link, lp, sec)
    return np.where((code == "SX03224") & (ch_day < epoch_day(S15A_IN_FORCE)), "SX03010", code)


def _choice_by_class(
    rng: np.random.Generator,
    cls: np.ndarray,
    table: dict[str, tuple[list[str], list[float]]],
    key: Callable[[str], str],
) -> np.ndarray:
    """Draw a code per row from the table entry of key(class) (one vectorised draw per entry)."""
    out = np.empty(len(cls), dtype=object)
    row_key = np.array([key(c) for c in CLS_CODE], dtype=object)[cls]
    for k in sorted(table):
        idx = np.flatnonzero(row_key == k)
        if len(idx) == 0:
            continue
        codes, w = table[k]
        out[idx] = np.array(codes, dtype=object)[
            rng.choice(len(codes), size=len(idx), p=np.asarray(w) / sum(w))
        ]
    return out


def _draw_s15(rng: np.random.Generator, n: int, boy: np.ndarray) -> np.ndarray:
    base_i = rng.choice(3, size=n, p=S15_BASE_W)
    base = np.where(
        boy, np.array(S15_BOY, dtype=object)[base_i], np.array(S15_GIRL, dtype=object)[base_i]
    )
    sfx = np.array(SUFFIXES, dtype=object)[rng.choice(len(SUFFIXES), size=n, p=SUFFIX_W)]
    return base + sfx
