"""Who is involved in which crime: victims, suspects and witnesses, and the individuals they are.

Suspects, and victims of ordinary offences, are partly drawn from pools of repeat offenders and
repeat victims; everyone else is a new individual.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.synthetic.arrays import group_rank
from helpers.synthetic.crimes import CrimeModel


@dataclass(frozen=True)
class Involvements:
    """One row per (crime, individual) involvement, sorted by crime then role."""

    crime: np.ndarray
    role: np.ndarray  # 0 victim, 1 suspect, 2 witness
    ind: np.ndarray  # the individual, numbered in order of first involvement
    n_ind: int
    first_link: np.ndarray  # each individual's earliest involvement, in individual order
    sus_rank: np.ndarray  # 0 for a crime's first suspect
    link_count: np.ndarray  # per individual


def draw_involvements(rng: np.random.Generator, c: CrimeModel) -> Involvements:
    crime_of, role = _roles(rng, c)
    raw = _who(rng, c, crime_of, role)
    # one involvement per person per crime
    keep = ~pd.DataFrame({"c": crime_of, "p": raw}).duplicated().to_numpy()
    crime_of, role, raw = crime_of[keep], role[keep], raw[keep]
    m = len(crime_of)
    uniq, first_idx, inv = np.unique(raw, return_index=True, return_inverse=True)
    relabel = np.empty(len(uniq), dtype=np.int64)
    relabel[np.argsort(first_idx, kind="stable")] = np.arange(len(uniq))
    ind = relabel[inv]
    n_ind = len(uniq)
    first_link = np.sort(first_idx)  # earliest link of each individual, in label order
    sus_rank = np.zeros(m, dtype=np.int64)
    si = np.flatnonzero(role == 1)
    sus_rank[si] = group_rank(crime_of[si])
    link_count = np.bincount(ind, minlength=n_ind)
    return Involvements(crime_of, role, ind, n_ind, first_link, sus_rank, link_count)


def _roles(rng: np.random.Generator, c: CrimeModel) -> tuple[np.ndarray, np.ndarray]:
    """Victims, suspects and witnesses of each crime: (crime, role) sorted by crime then role."""
    n, groom, final_out, kind = c.n, c.recording.groom, c.final.outcome, c.texts.kind
    r = rng.random((4, n))
    n_vic = np.where(r[0] < 0.08, 0, np.where(r[0] < 0.96, 1, 2))
    n_vic = np.where(
        groom & np.isin(kind, ["hunter", "covert"]) & (r[1] < 0.85), 0, n_vic
    )  # decoy "child"
    charged_final = final_out == 1
    n_sus = np.where(
        charged_final,
        1 + (r[2] < 0.25) + (r[3] < 0.06),
        np.where(
            np.isin(final_out, [0, 14, 18]), (r[2] < 0.2).astype(int), (r[2] < 0.9).astype(int)
        ),
    )
    n_wit = (r[3] > 0.92).astype(int)
    crime_of = np.concatenate([np.repeat(np.arange(n), k) for k in (n_vic, n_sus, n_wit)])
    role = np.concatenate(
        [np.full(n_vic.sum(), 0), np.full(n_sus.sum(), 1), np.full(n_wit.sum(), 2)]
    )
    o = np.lexsort((role, crime_of))
    return crime_of[o], role[o]


def _who(
    rng: np.random.Generator, c: CrimeModel, crime_of: np.ndarray, role: np.ndarray
) -> np.ndarray:
    """A person key per involvement: pools of repeat offenders / repeat victims, else a new one."""
    n, sexual = c.n, c.recording.sexual
    m = len(crime_of)
    n_groom = int(c.recording.groom.sum())
    r_ord, r_sex, r_vic = max(20, n // 30), max(5, n_groom // 6), max(20, n // 60)
    sx_l = sexual[crime_of]
    u = rng.random(m)
    raw = np.full(m, -1, dtype=np.int64)
    sus = role == 1
    reuse_ord = sus & ~sx_l & (u < 0.35)
    reuse_sex = sus & sx_l & (u < 0.30)
    reuse_vic = (role == 0) & ~sx_l & (u < 0.05)
    raw[reuse_ord] = rng.integers(0, r_ord, size=reuse_ord.sum())
    raw[reuse_sex] = r_ord + rng.integers(0, r_sex, size=reuse_sex.sum())
    raw[reuse_vic] = r_ord + r_sex + rng.integers(0, r_vic, size=reuse_vic.sum())
    fresh = raw < 0
    raw[fresh] = r_ord + r_sex + r_vic + np.arange(fresh.sum())
    return raw
