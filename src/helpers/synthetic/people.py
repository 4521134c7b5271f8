"""The real individuals (birth, PNC ID, sex, name) and the systems' records of them.

Each individual's details follow their first involvement. The systems hold a CMS nominal number and
a Connect person record (PER...) per individual, plus duplicate Connect records (PERD...) created
at a new crime instead of reusing the person's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from helpers.synthetic.arrays import ensure, int_str, or_none, year_of_day
from helpers.synthetic.charges import DrawnCharges
from helpers.synthetic.crimes import CrimeModel
from helpers.synthetic.involvements import Involvements
from helpers.synthetic.names import FORENAMES_F, MIDDLE_F, SURNAMES


@dataclass(frozen=True)
class PncIds:
    """Per individual: the PNC ID (year/serial + check letter), if the person has one."""

    has: np.ndarray
    year: np.ndarray
    serial: np.ndarray
    check: np.ndarray
    canonical: np.ndarray  # "2009/0123456X", None without one


@dataclass(frozen=True)
class Individuals:
    """One row per real person, whatever number of person records the systems hold."""

    dob: np.ndarray  # day
    pnc: PncIds
    male: np.ndarray
    surname_i: np.ndarray  # index into SURNAMES
    forename_i: np.ndarray  # index into FORENAMES
    middle_i: np.ndarray  # index into MIDDLE, -1 for none


@dataclass(frozen=True)
class PersonRecords:
    """The systems' records: per individual a CMS nominal and a Connect person record, per
    involvement the system(s) holding it and whether Connect used a duplicate record."""

    nominal: np.ndarray  # CMS nominal number, -1 if never on a CMS crime
    per_no: np.ndarray  # Connect's PER number, -1 if never on a Connect crime
    in_cms: np.ndarray  # per involvement
    in_connect: np.ndarray
    duplicate: np.ndarray
    perd_no: np.ndarray  # Connect's PERD number of a duplicate record, else -1


def draw_individuals(
    rng: np.random.Generator,
    c: CrimeModel,
    inv: Involvements,
    charges: DrawnCharges,
    taken: date,
) -> Individuals:
    """Date of birth, PNC ID, sex and name of each individual (from their first involvement)."""
    n_ind = inv.n_ind
    f_crime = inv.crime[inv.first_link]
    f_role = inv.role[inv.first_link]
    f_sex = c.recording.sexual[f_crime]
    dob = _dates_of_birth(rng, c, inv)
    pnc = _pnc_ids(rng, c, inv, dob, charges, taken)

    # sex: a sexual-offence victim's follows the child in the text; suspects of sexual offences male
    child_m = c.texts.sex_of_child[f_crime] == "M"
    male = np.select(
        [(f_role == 0) & f_sex, (f_role == 1) & f_sex, f_role == 1],
        [child_m, rng.random(n_ind) < 0.97, rng.random(n_ind) < 0.75],
        rng.random(n_ind) < 0.5,
    )
    surname_i = rng.integers(0, len(SURNAMES), n_ind)
    forename_i = rng.integers(0, len(FORENAMES_F), n_ind) + np.where(male, len(FORENAMES_F), 0)
    middle_i = np.where(
        rng.random(n_ind) < 0.12,
        rng.integers(0, len(MIDDLE_F), n_ind) + np.where(male, len(MIDDLE_F), 0),
        -1,
    )
    return Individuals(dob, pnc, male, surname_i, forename_i, middle_i)


def _dates_of_birth(rng: np.random.Generator, c: CrimeModel, inv: Involvements) -> np.ndarray:
    """An age at first involvement by role and offence (grooming victims 11-15), then a birthday."""
    n_ind = inv.n_ind
    f_crime = inv.crime[inv.first_link]
    f_role = inv.role[inv.first_link]
    f_day = c.recording.rec_day[f_crime]
    f_groom = c.recording.groom[f_crime]
    f_sex = c.recording.sexual[f_crime]
    age = np.select(
        [(f_role == 0) & f_groom, (f_role == 0) & f_sex, (f_role == 1) & f_sex, f_role == 1],
        [
            rng.integers(11, 16, n_ind),
            rng.integers(8, 16, n_ind),
            rng.integers(19, 69, n_ind),
            rng.integers(15, 61, n_ind),
        ],
        rng.integers(16, 89, n_ind),
    )
    return f_day - (age * 365.25).astype(np.int64) - rng.integers(0, 365, n_ind)


def _pnc_ids(
    rng: np.random.Generator,
    c: CrimeModel,
    inv: Involvements,
    dob: np.ndarray,
    charges: DrawnCharges,
    taken: date,
) -> PncIds:
    """Everyone charged has a PNC ID, most suspects and some others, issued before the extract."""
    n_ind = inv.n_ind
    f_day = c.recording.rec_day[inv.crime[inv.first_link]]
    dob_year = year_of_day(dob)
    ever_charged = np.zeros(n_ind, dtype=bool)
    ever_charged[charges.ind] = True
    ever_suspect = np.zeros(n_ind, dtype=bool)
    ever_suspect[inv.ind[inv.role == 1]] = True
    first_year = year_of_day(f_day)
    lo = np.maximum(1975, dob_year + 14)
    hi = np.maximum(lo, first_year)
    pnc_year = lo + (rng.random(n_ind) * (hi - lo + 1)).astype(np.int64)
    has_pnc = ever_charged | (ever_suspect & (rng.random(n_ind) < 0.7)) | (rng.random(n_ind) < 0.25)
    has_pnc &= pnc_year < taken.year
    has_pnc |= ever_charged
    pnc_year = np.minimum(pnc_year, taken.year - 1)
    pi = np.flatnonzero(has_pnc)
    perm = rng.permutation(999_999) + 1
    serial = np.zeros(n_ind, dtype=np.int64)
    serial[pi] = perm[np.arange(len(pi)) % len(perm)]
    clash = np.zeros(n_ind, dtype=bool)
    clash[pi] = pd.DataFrame({"y": pnc_year[pi] % 100, "s": serial[pi]}).duplicated().to_numpy()
    has_pnc &= ~clash  # only possible beyond ~1M people with a PNC ID
    check = np.array(list("ZABCDEFGHJKLMNPQRTUVWXY"), dtype=object)[
        ((pnc_year % 100) * 10_000_000 + serial) % 23
    ]
    canonical = or_none(has_pnc, int_str(pnc_year) + "/" + int_str(serial, 7) + check)
    return PncIds(has_pnc, pnc_year, serial, check, canonical)


def draw_records(
    rng: np.random.Generator,
    c: CrimeModel,
    inv: Involvements,
    people: Individuals,
    charges: DrawnCharges,
) -> PersonRecords:
    """CMS nominal numbers (individuals on any CMS crime), Connect primary person records, and
    duplicate Connect records (PERD...) made at a new crime instead of reusing the person's."""
    n_ind, m, crime_of, ind = inv.n_ind, len(inv.crime), inv.crime, inv.ind
    sexual = c.recording.sexual
    in_cms_l = c.switchover.in_cms[crime_of]
    in_con_l = c.switchover.in_connect[crime_of]
    nominal = np.full(n_ind, -1, dtype=np.int64)
    cms_first = pd.unique(ind[in_cms_l])
    nominal[cms_first] = 400_001 + np.arange(len(cms_first))
    con_first = pd.unique(ind[in_con_l])
    per_no = np.full(n_ind, -1, dtype=np.int64)
    per_no[con_first] = 1 + np.arange(len(con_first))

    ch_per_link = np.zeros(m, dtype=bool)
    ch_per_link[charges.link] = True
    cand = (
        c.switchover.in_connect[crime_of]
        & ~c.switchover.migrated[crime_of]
        & people.pnc.has[ind]
        & (inv.link_count[ind] >= 2)
    )
    p_dup = np.where(ch_per_link & sexual[crime_of], 0.3, 0.03)
    dup = cand & (rng.random(m) < p_dup)
    dup = ensure(rng, dup, cand & ch_per_link & sexual[crime_of])
    dup = ensure(rng, dup, cand, 3)
    perd_no = np.full(m, -1, dtype=np.int64)
    perd_no[dup] = 1 + np.arange(dup.sum())
    return PersonRecords(nominal, per_no, in_cms_l, in_con_l, dup, perd_no)
