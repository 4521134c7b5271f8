"""The crimes: recording, classes, outcomes, the state at switch-over and what changed since.

Each step draws from the one seeded generator in a fixed order (the order is what keeps the files
byte-identical for a seed) and returns a frozen record of per-crime arrays; `draw_crimes` runs them
and gathers them in a `CrimeModel`. A few planted "boundary" crimes (recorded or charged either side
of a new year or of the switch-over) are protected from the random changes after switch-over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from helpers.synthetic.arrays import ensure, epoch_day, group_rank, int_str, or_none, year_of_day
from helpers.synthetic.classes import (
    CLASSES,
    CLS_INDEX,
    IS_GROOM,
    IS_SEXUAL,
    OUT_ORD,
    OUT_SEX,
    RECLASS,
)
from helpers.synthetic.contract import (
    CANCEL_CODES,
    MIGRATE_ALL_FROM,
    MIGRATE_OPEN_FROM,
    OUTCOME21_FROM,
    S15A_IN_FORCE,
    SWITCHOVER,
)
from helpers.synthetic.texts import CrimeTexts, draw_texts


@dataclass(frozen=True)
class Span:
    """The extract's time span, in days (and seconds) since the epoch."""

    start_year: int
    taken: date  # the day the extracts were taken
    start_day: int
    end_day: int
    switch_day: int
    switch_sec: int

    @classmethod
    def of(cls, start_year: int, taken: date) -> Span:
        switch_day = epoch_day(SWITCHOVER.date())
        return cls(
            start_year=start_year,
            taken=taken,
            start_day=epoch_day(date(start_year, 1, 1)),
            end_day=epoch_day(taken),
            switch_day=switch_day,
            switch_sec=switch_day * 86400 + 7 * 3600,
        )


@dataclass(frozen=True)
class Recording:
    """When each crime was recorded and committed, and its class then (sorted by recording)."""

    rec: np.ndarray  # recorded, seconds since the epoch
    rec_day: np.ndarray
    cls: np.ndarray  # index into CLASSES
    sexual: np.ndarray
    groom: np.ndarray
    committed: np.ndarray  # day
    committed_known: np.ndarray
    boundary: np.ndarray  # planted boundary recordings
    force_open: np.ndarray  # ... of which these must still be open at switch-over


@dataclass(frozen=True)
class FinalOutcome:
    """What each crime ends up with by the time the extract is taken (0 = no outcome)."""

    cancelled: np.ndarray
    outcome: np.ndarray
    outcome_day: np.ndarray
    has_outcome: np.ndarray
    protected: np.ndarray  # boundary crimes, left alone by the changes after switch-over


@dataclass(frozen=True)
class AtSwitchover:
    """Each crime's state at switch-over, and the systems that hold it."""

    in_cms: np.ndarray  # recorded before switch-over
    in_connect: np.ndarray
    migrated: np.ndarray
    cms_only: np.ndarray
    cls: np.ndarray  # -1 for crimes recorded after switch-over
    outcome: np.ndarray
    outcome_day: np.ndarray
    was_open: np.ndarray
    cancelled: np.ndarray


@dataclass(frozen=True)
class CurrentState:
    """Each crime's current state: CMS was frozen at switch-over, Connect's may have moved on."""

    cls: np.ndarray
    reclassified: np.ndarray
    outcome: np.ndarray
    outcome_day: np.ndarray
    revised: np.ndarray  # a migrated crime's outcome changed after switch-over
    cancelled: np.ndarray
    cancelled_later: np.ndarray


@dataclass(frozen=True)
class SystemLabels:
    """What the systems write for each crime: references, migration time and statuses."""

    cms_ref: np.ndarray  # None for crimes not in CMS
    connect_ref: np.ndarray  # None for crimes not in Connect
    migration_sec: np.ndarray  # 0 unless migrated
    cms_status: np.ndarray
    cancel_code: np.ndarray  # Connect's "Cancelled - Cn", None unless cancelled


@dataclass(frozen=True)
class CrimeModel:
    """One row per true crime (CMS row and Connect copy of a migrated crime are ONE crime)."""

    span: Span
    recording: Recording
    final: FinalOutcome
    switchover: AtSwitchover
    now: CurrentState
    texts: CrimeTexts
    labels: SystemLabels

    @property
    def n(self) -> int:
        return len(self.recording.rec)


def draw_crimes(rng: np.random.Generator, n: int, span: Span) -> CrimeModel:
    recording = _record(rng, n, span)
    final = _final_outcomes(rng, recording, span)
    switchover = _at_switchover(recording, final, span)
    now = _current_state(rng, recording, final, switchover, span)
    texts = draw_texts(rng, recording.cls, recording.groom, switchover.migrated, switchover.in_cms)
    labels = _labels(rng, recording, final, switchover, now, span)
    return CrimeModel(span, recording, final, switchover, now, texts, labels)


def _boundary_recordings(span: Span) -> list[tuple[int, bool]]:
    """(recorded second, open at switch-over?): each year's last second and the next's first two,
    and moments around the switch-over."""
    boundary: list[tuple[int, bool]] = []
    for y in range(span.start_year, span.taken.year):
        boundary.append((epoch_day(date(y, 12, 31)) * 86400 + 86399, True))
        boundary.append((epoch_day(date(y + 1, 1, 1)) * 86400, False))
        boundary.append((epoch_day(date(y + 1, 1, 1)) * 86400 + 1, True))
    switch_sec = span.switch_sec
    boundary += [(switch_sec - 30, False), (switch_sec, False), (switch_sec - 3600, True)]
    return [(s, o) for s, o in boundary if span.start_day * 86400 <= s < span.end_day * 86400]


def _record(rng: np.random.Generator, n: int, span: Span) -> Recording:
    rec = rng.integers(span.start_day * 86400, span.end_day * 86400, size=n, dtype=np.int64)
    w = np.array([c[4] for c in CLASSES])
    sexual_total = w[IS_SEXUAL].sum()
    w[~IS_SEXUAL] *= (1 - sexual_total) / w[~IS_SEXUAL].sum()
    cls = rng.choice(len(CLASSES), size=n, p=w / w.sum())

    boundary = _boundary_recordings(span)
    nb = len(boundary)
    rec[:nb] = [s for s, _ in boundary]
    cls[:nb] = CLS_INDEX["088/01"]
    force_open = np.zeros(n, dtype=bool)
    force_open[:nb] = [o for _, o in boundary]
    protected = np.zeros(n, dtype=bool)
    protected[:nb] = True

    order = np.argsort(rec, kind="stable")
    rec, cls, force_open, protected = rec[order], cls[order], force_open[order], protected[order]
    rec_day = rec // 86400
    # s15A (071/17) did not exist before 3 April 2017
    early_s15a = (cls == CLS_INDEX["071/17"]) & (rec_day < epoch_day(S15A_IN_FORCE))
    cls[early_s15a] = CLS_INDEX["071/01"]
    sexual = IS_SEXUAL[cls]
    groom = IS_GROOM[cls]

    committed = rec_day - np.where(
        sexual, rng.integers(0, 120, size=n), rng.geometric(0.45, size=n) - 1
    )
    committed_known = rng.random(n) >= 0.04
    return Recording(
        rec, rec_day, cls, sexual, groom, committed, committed_known, protected, force_open
    )


def _final_outcomes(rng: np.random.Generator, r: Recording, span: Span) -> FinalOutcome:
    n, sexual = len(r.rec), r.sexual
    cancelled = rng.random(n) < np.where(sexual, 0.04, 0.012)
    cancelled &= ~r.boundary
    o_ord = np.array(list(OUT_ORD)), np.array(list(OUT_ORD.values()))
    o_sex = np.array(list(OUT_SEX)), np.array(list(OUT_SEX.values()))
    outcome = np.where(
        sexual,
        o_sex[0][rng.choice(len(o_sex[0]), size=n, p=o_sex[1] / o_sex[1].sum())],
        o_ord[0][rng.choice(len(o_ord[0]), size=n, p=o_ord[1] / o_ord[1].sum())],
    ).astype(np.int64)
    long = rng.random(n) < np.where(sexual, 0.22, 0.10)
    delay = (
        np.where(
            long,
            rng.uniform(500, 1900, size=n),
            rng.lognormal(np.where(sexual, np.log(160), np.log(35)), np.where(sexual, 0.8, 1.1)),
        ).astype(np.int64)
        + 1
    )
    out_day = r.rec_day + delay
    # boundary crimes recorded before 2016 that must still be open at switch-over (so migrated)
    still_open = r.force_open & (r.rec < span.switch_sec)
    out_day[still_open] = np.maximum(
        out_day[still_open], span.switch_day + 30 + (delay[still_open] % 300)
    )
    protected = r.boundary.copy()
    _plant_boundary_charges(rng, r, span, cancelled, outcome, out_day, protected)

    outcome[(outcome == 21) & (out_day < epoch_day(OUTCOME21_FROM))] = 15
    has_out = ~cancelled & (out_day < span.end_day)
    outcome = np.where(has_out, outcome, 0)  # 0 = no outcome recorded
    out_day = np.where(has_out, out_day, 0)
    return FinalOutcome(cancelled, outcome, out_day, has_out, protected)


def _plant_boundary_charges(
    rng: np.random.Generator,
    r: Recording,
    span: Span,
    cancelled: np.ndarray,
    outcome: np.ndarray,
    out_day: np.ndarray,
    protected: np.ndarray,
) -> None:
    """Charge/summons outcomes on boundary days (updates outcome, out_day and protected in place).

    Grooming crimes charged on 31 December or 1 January, and each year a grooming crime recorded
    three years earlier charged late in that year.
    """
    rec_day = r.rec_day
    cand_base = r.groom & ~cancelled & ~protected
    for y in range(span.start_year, span.taken.year):
        for d in (date(y, 12, 31), date(y + 1, 1, 1)):
            dd = epoch_day(d)
            if dd >= span.end_day:
                continue
            cand = np.flatnonzero(cand_base & (rec_day >= dd - 500) & (rec_day <= dd - 20))
            if len(cand) == 0:
                continue
            pick = rng.choice(cand, size=min(2, len(cand)), replace=False)
            outcome[pick] = 1
            out_day[pick] = dd
            protected[pick] = True
            cand_base[pick] = False

    for y in range(span.start_year + 3, span.taken.year + 1):
        lo_day = epoch_day(date(y, 1, 1))
        hi_day = min(epoch_day(date(y, 12, 31)), span.end_day - 1)
        cand = np.flatnonzero(
            cand_base
            & (rec_day >= epoch_day(date(y - 3, 1, 1)))
            & (rec_day < epoch_day(date(y - 2, 1, 1)))
        )
        if len(cand) == 0 or hi_day < lo_day:
            continue
        pick = rng.choice(cand)
        outcome[pick] = 1
        out_day[pick] = rng.integers(lo_day, hi_day + 1)
        protected[pick] = True
        cand_base[pick] = False


def _at_switchover(r: Recording, f: FinalOutcome, span: Span) -> AtSwitchover:
    """The state at switch-over and the migration rule."""
    pre = r.rec < span.switch_sec
    out_sw = np.where(pre & f.has_outcome & (f.outcome_day < span.switch_day), f.outcome, 0)
    out_day_sw = np.where(out_sw > 0, f.outcome_day, 0)
    open_sw = pre & ~f.cancelled & (out_sw == 0)
    migrated = pre & (
        (r.rec_day >= epoch_day(MIGRATE_ALL_FROM))
        | ((r.rec_day >= epoch_day(MIGRATE_OPEN_FROM)) & open_sw)
    )
    return AtSwitchover(
        in_cms=pre,
        in_connect=~pre | migrated,
        migrated=migrated,
        cms_only=pre & ~migrated,
        cls=np.where(pre, r.cls, -1),
        outcome=out_sw,
        outcome_day=out_day_sw,
        was_open=open_sw,
        cancelled=f.cancelled & pre,
    )


def _current_state(
    rng: np.random.Generator, r: Recording, f: FinalOutcome, sw: AtSwitchover, span: Span
) -> CurrentState:
    """CMS was frozen at switch-over: a crime left in CMS keeps its state then. Connect holds a
    migrated crime's current state, which may have moved on since (cancelled, outcome revised,
    reclassified)."""
    n, sexual = len(r.rec), r.sexual
    cur_out = np.where(sw.cms_only, sw.outcome, f.outcome)
    cur_out_day = np.where(sw.cms_only, sw.outcome_day, f.outcome_day)
    cur_cancel = f.cancelled.copy()

    open_migrated = sw.migrated & sw.was_open & ~f.protected
    later_cancel = open_migrated & (rng.random(n) < np.where(sexual, 0.08, 0.02))
    later_cancel = ensure(rng, later_cancel, open_migrated & r.groom)
    cur_cancel |= later_cancel
    cur_out[later_cancel] = 0
    cur_out_day[later_cancel] = 0

    revisable = (
        sw.migrated & (sw.outcome > 0) & (sw.outcome != 1) & (f.outcome == sw.outcome) & ~cur_cancel
    )
    revise = revisable & (rng.random(n) < np.where(sexual, 0.10, 0.03))
    revise = ensure(rng, revise, revisable & sexual)
    ri = np.flatnonzero(revise)
    if len(ri):
        alt = np.array([o for o in OUT_SEX if o != 1])
        new = alt[rng.integers(0, len(alt), size=len(ri))]
        new = np.where(new == cur_out[ri], 18, new)
        new = np.where(new == cur_out[ri], 14, new)
        cur_out[ri] = new
        cur_out_day[ri] = rng.integers(span.switch_day + 1, span.end_day, size=len(ri))

    cur_cls, reclass = _reclassify(rng, r, f, sw)
    return CurrentState(
        cls=cur_cls,
        reclassified=reclass,
        outcome=cur_out,
        outcome_day=cur_out_day,
        revised=revise,
        cancelled=cur_cancel,
        cancelled_later=later_cancel,
    )


def _reclassify(
    rng: np.random.Generator, r: Recording, f: FinalOutcome, sw: AtSwitchover
) -> tuple[np.ndarray, np.ndarray]:
    """Each crime's current class, and whether a migrated crime was reclassified since."""
    n, cls, migrated, protected = len(r.rec), r.cls, sw.migrated, f.protected
    cur_cls = cls.copy()
    reclass = np.zeros(n, dtype=bool)
    for code, (p, targets, tw) in RECLASS.items():
        m = migrated & (cls == CLS_INDEX[code]) & ~protected
        sel = m & (rng.random(n) < p)
        if code in ("088/01", "071/17"):  # at least one reclassified out of, and one into, 088/01
            sel = ensure(rng, sel, m)
        idx = np.flatnonzero(sel)
        if len(idx):
            tgt = np.array([CLS_INDEX[t] for t in targets])
            cur_cls[idx] = tgt[rng.choice(len(tgt), size=len(idx), p=np.asarray(tw) / sum(tw))]
            reclass[idx] = True
    # at least one migrated crime reclassified into the grooming classes, and one out of them
    g88 = np.isin(cur_cls, [CLS_INDEX["088/01"], CLS_INDEX["088/02"]])
    was88 = np.isin(cls, [CLS_INDEX["088/01"], CLS_INDEX["088/02"]])
    for into in (True, False):
        done = reclass & (g88 != was88) & (g88 if into else was88)
        if not done.any():
            src = ["071/17", "071/01", "022/02"] if into else ["088/01", "088/02"]
            cand = np.flatnonzero(
                migrated & ~protected & ~reclass & np.isin(cls, [CLS_INDEX[x] for x in src])
            )
            if len(cand):
                j = rng.choice(cand)
                cur_cls[j] = CLS_INDEX["088/01" if into else "071/17"]
                reclass[j] = True
    return cur_cls, reclass


def _labels(
    rng: np.random.Generator,
    r: Recording,
    f: FinalOutcome,
    sw: AtSwitchover,
    now: CurrentState,
    span: Span,
) -> SystemLabels:
    """CMS and Connect references: sequence numbers within the year of first recording."""
    n = len(r.rec)
    year = year_of_day(r.rec_day)
    cms_seq = np.zeros(n, dtype=np.int64)
    ci = np.flatnonzero(sw.in_cms)
    cms_seq[ci] = group_rank(year[ci]) + 1
    con_seq = np.zeros(n, dtype=np.int64)
    ki = np.flatnonzero(sw.in_connect)
    con_seq[ki] = group_rank(year[ki]) + 1
    yy = int_str(year % 100, 2)
    cms_ref = np.full(n, None, dtype=object)
    cms_ref[ci] = "CM/" + yy[ci] + "/" + int_str(cms_seq[ci], 7)
    connect_ref = np.full(n, None, dtype=object)
    connect_ref[ki] = int_str(con_seq[ki], 8) + "/" + yy[ki]
    migration_sec = np.where(sw.migrated, span.switch_sec + 60 * rng.integers(0, 246, size=n), 0)

    cms_status = np.where(
        sw.migrated,
        "MIGRATED",
        np.where(f.cancelled, "NO CRIME", np.where(rng.random(n) < 0.33, "CRIMED", "CONFIRMED")),
    )
    cms_status = or_none(sw.in_cms, cms_status)
    cancel_code = or_none(
        now.cancelled, CANCEL_CODES[rng.choice(4, size=n, p=[0.55, 0.15, 0.2, 0.1])]
    )
    return SystemLabels(cms_ref, connect_ref, migration_sec, cms_status, cancel_code)
