"""Small vectorised helpers: days since the epoch, date strings by table look-up, ranks, quirks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_EPOCH = date(1970, 1, 1)
_DAY_TABLE_FROM = date(1900, 1, 1)
_DAY_TABLE_TO = date(2045, 12, 31)


def epoch_day(d: date) -> int:
    return (d - _EPOCH).days


def _day_tables() -> tuple[np.ndarray, np.ndarray]:
    n = (_DAY_TABLE_TO - _DAY_TABLE_FROM).days + 1
    days = [_DAY_TABLE_FROM + timedelta(days=i) for i in range(n)]
    dmy = np.array([d.strftime("%d/%m/%Y") for d in days], dtype=object)
    iso = np.array([d.isoformat() for d in days], dtype=object)
    return dmy, iso


DMY, ISO = _day_tables()
_DAY0 = epoch_day(_DAY_TABLE_FROM)
_HHMM = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)], dtype=object)
_HHMMSS = np.array(
    [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)], dtype=object
)


def fmt_day(day: np.ndarray, table: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Days since epoch -> strings via a lookup table ('' where not valid)."""
    day = np.asarray(day, dtype=np.int64)
    if valid is None:
        return table[day - _DAY0]
    out = np.full(day.shape, "", dtype=object)
    out[valid] = table[day[valid] - _DAY0]
    return out


def fmt_cms_datetime(sec: np.ndarray) -> np.ndarray:
    return fmt_day(sec // 86400, DMY) + " " + _HHMM[(sec % 86400) // 60]


def fmt_iso_datetime(sec: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    sec = np.asarray(sec, dtype=np.int64)
    if valid is None:
        return fmt_day(sec // 86400, ISO) + "T" + _HHMMSS[sec % 86400]
    out = np.full(sec.shape, "", dtype=object)
    s = sec[valid]
    out[valid] = fmt_day(s // 86400, ISO) + "T" + _HHMMSS[s % 86400]
    return out


def int_str(a: np.ndarray, width: int = 0) -> np.ndarray:
    """Integers -> decimal strings (object array), zero-padded to width."""
    s = pa.array(np.asarray(a, dtype=np.int64)).cast(pa.string())
    if width:
        s = pc.utf8_lpad(s, width=width, padding="0")
    return s.to_numpy(zero_copy_only=False).astype(object)


def group_rank(sorted_keys: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal keys (keys sorted)."""
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def ensure(
    rng: np.random.Generator, selected: np.ndarray, candidates: np.ndarray, k: int = 1
) -> np.ndarray:
    """Make sure at least k candidates are selected (so every quirk occurs in small extracts)."""
    have = int((selected & candidates).sum())
    if have < k:
        pool = np.flatnonzero(candidates & ~selected)
        if len(pool):
            pick = rng.choice(pool, size=min(k - have, len(pool)), replace=False)
            selected[pick] = True
    return selected


def year_of_day(day: np.ndarray) -> np.ndarray:
    return np.asarray(day, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def or_none(valid: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values where valid, else None (an object array)."""
    return np.where(valid, values, None)  # type: ignore[call-overload]  # stubs refuse a None fill
