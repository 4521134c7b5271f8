"""What the gate looks for in the extracts: the `Sensitive` protocol the rules ask, and its two
implementations.

`FrameSensitive` reads it from pandas frames (the tests plant leaks with it). `ExtractSensitive`
reads it from the run's extract (in memory or the extract cache), a column at a time, and keeps
what the checks of one extract read and found with the extract's store (`_Lookups`), for every
checker of that extract in the process. PNC IDs are compared in one form
(`extracts.codes.normalise_pnc`), so either system's spelling of an ID matches. The search
scope (`write_search_scope`) names the crimes whose texts a run read: the request's crimes,
whose people (in any role) must not be named in its release; the copied-text rule reads every
text of the extract (`all_texts`), since an analyst can paste from any.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from helpers.cache.searches import KeptSearches
from helpers.extracts.codes import normalise_pnc_id


@runtime_checkable
class Sensitive(Protocol):
    """What the gate looks for, provided by the caller from the extracts."""

    def identifiers_present(self, tokens: set[str]) -> set[str]:
        """Which of these candidates are real identifiers: crime references, person IDs, nominal
        numbers (as written, upper case) and PNC IDs (normalised: `00/448754A`)."""
        ...

    def identifier_formats(self) -> dict[str, str]:
        """The force profile's identifier forms: what each is called -> a regular expression."""
        ...

    def people_with_dob(self, dates: set[date]) -> pd.DataFrame:
        """Columns surname, forenames, date_of_birth: the people born on any of these dates."""
        ...

    def people_on_request_crimes(self) -> pd.DataFrame:
        """Columns surname, forenames: the people in any role on the request's crimes (the
        search scope; every person when the scope is not known)."""
        ...

    def texts(self) -> Iterable[str] | pa.ChunkedArray:
        """The circumstances texts the run touched (may be ~1M), without empty ones."""
        ...

    def all_texts(self) -> Iterable[str] | pa.ChunkedArray:
        """Every circumstances text of the extract (~1M)."""
        ...


def _arrow_strings(values: pd.Series) -> pa.Array:
    """A column's non-missing values as Arrow strings (numbers written as text)."""
    values = values.dropna()
    if values.dtype != "string[pyarrow]" and str(values.dtype) != "str":
        values = values.astype("string[pyarrow]")
    array = pa.array(values.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _as_dates(values: pd.Series) -> pd.Series:
    """Dates of birth as datetime64: datetimes, `date`s, `24/05/1992` or `1992-05-24` text."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return (
            values.dt.tz_localize(None).dt.normalize()
            if getattr(values.dt, "tz", None)
            else values.dt.normalize()
        )
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"):
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return parsed.dt.normalize()


# --------------------------------------------------------------------------------------------
# What the gate looks for, read from pandas frames


def _holds_personal(sources) -> bool:
    """Whether the systems' exports hold names or dates of birth (not known: they do)."""
    if sources is None:
        return True
    return any(
        field in spec.columns
        for source in sources
        for spec in source.files
        for field in ("surname", "forenames", "date_of_birth")
    )


def formats_of(sources) -> dict[str, str]:
    """Every system's identifier forms, under one name each (a name two systems share, such as
    "crime reference", matches either system's form)."""
    forms: dict[str, list[str]] = {}
    for source in sources:
        for name, pattern in source.identifier_formats.items():
            forms.setdefault(name, []).append(f"(?:{pattern})")
    return {name: "|".join(patterns) for name, patterns in forms.items()}


@dataclass
class FrameSensitive:
    """`Sensitive` from pandas frames (the canonical model's, or the raw files' renamed).

    crimes   identifier columns: any of `CRIME_COLUMNS` present
    people   identifier columns: any of `PERSON_COLUMNS` present (a `SYSTEM:` prefix, as in the
             canonical `person_key`, is dropped) and `pnc_id` (raw or normalised); `surname`,
             `forenames` (or `forename`), `date_of_birth` (datetime, date, or text as written)
    circumstances  the circumstances texts (the spec's `texts` field: renamed because `texts()` is
             the protocol's method); default: `crimes["circumstances"]`
    scope    the request's crimes (references in `crimes`' and `people`'s `crime_ref` or
             `crime_id`): `texts()` gives theirs, `people_on_request_crimes` their people; None:
             every crime is the request's
    """

    crimes: pd.DataFrame
    people: pd.DataFrame
    circumstances: pd.Series | None = None
    scope: Iterable[str] | None = None
    formats: dict[str, str] = field(default_factory=dict)  # `identifier_formats`

    CRIME_COLUMNS: ClassVar[tuple[str, ...]] = (
        "crime_ref",
        "crime_id",
        "legacy_ref",
        "legacy_crime_ref",
    )
    PERSON_COLUMNS: ClassVar[tuple[str, ...]] = (
        "person_ref",
        "legacy_person_ref",
        "person_key",
        "legacy_person_key",
        "nominal_no",
        "person_id",
    )
    PNC_COLUMNS: ClassVar[tuple[str, ...]] = ("pnc_id",)

    def __post_init__(self) -> None:
        self._ids: pa.Array | None = None
        self._born: pd.DataFrame | None = None

    def _identifier_array(self) -> pa.Array:
        """Every identifier in the frames, as one Arrow array."""
        if self._ids is None:
            parts = []
            for frame, columns in (
                (self.crimes, self.CRIME_COLUMNS),
                (self.people, self.PERSON_COLUMNS),
            ):
                for column in columns:
                    if column in frame:
                        values = pc.utf8_upper(
                            pc.utf8_trim_whitespace(_arrow_strings(frame[column]))
                        )
                        if column.endswith("_key"):  # canonical keys: `SYSTEM:408657`
                            values = pc.replace_substring_regex(
                                values, pattern=r"^[A-Za-z]+:", replacement=""
                            )
                        parts.append(values)
            for column in self.PNC_COLUMNS:
                if column in self.people:
                    parts.append(normalise_pnc_id(_arrow_strings(self.people[column])))
            ids = (
                pa.concat_arrays([p.cast(pa.large_string()) for p in parts])
                if parts
                else pa.array([], pa.large_string())
            )
            self._ids = pc.unique(pc.drop_null(ids))
        return self._ids

    def identifier_formats(self) -> dict[str, str]:
        return dict(self.formats)

    def identifiers_present(self, tokens: set[str]) -> set[str]:
        if not tokens:
            return set()
        candidates = pa.array(sorted(tokens), pa.large_string())
        return set(
            pc.filter(
                candidates, pc.is_in(candidates, value_set=self._identifier_array())
            ).to_pylist()
        )

    def _people_born(self) -> pd.DataFrame:
        if self._born is None:
            people = self.people
            forenames = (
                people["forenames"]
                if "forenames" in people
                else people.get("forename", pd.Series(pd.NA, index=people.index))
            )
            born = pd.DataFrame(
                {
                    "surname": people["surname"]
                    if "surname" in people
                    else pd.Series(pd.NA, index=people.index),
                    "forenames": forenames,
                    "date_of_birth": _as_dates(people["date_of_birth"])
                    if "date_of_birth" in people
                    else pd.Series(pd.NaT, index=people.index),
                }
            )
            self._born = (
                born.dropna(subset=["surname", "date_of_birth"])
                .drop_duplicates()
                .reset_index(drop=True)
            )
        return self._born

    def people_with_dob(self, dates: set[date]) -> pd.DataFrame:
        born = self._people_born()
        wanted = pd.to_datetime(pd.Series(sorted(dates), dtype=object), errors="coerce").dropna()
        found = born.loc[born["date_of_birth"].isin(wanted)].copy()
        found["date_of_birth"] = found["date_of_birth"].dt.date
        return found.reset_index(drop=True)

    def _in_scope(self, frame: pd.DataFrame) -> pd.Series:
        """Which rows of `frame` are of the request's crimes (all, without a scope or a column
        naming the crime)."""
        column = next((c for c in ("crime_id", "crime_ref") if c in frame), None)
        if self.scope is None or column is None:
            return pd.Series(True, index=frame.index)
        return frame[column].isin(list(self.scope))

    def people_on_request_crimes(self) -> pd.DataFrame:
        people = self.people.loc[self._in_scope(self.people)]
        return pd.DataFrame(
            {
                "surname": people.get("surname", pd.Series(pd.NA, index=people.index)),
                "forenames": people.get(
                    "forenames", people.get("forename", pd.Series(pd.NA, index=people.index))
                ),
            }
        ).dropna(subset=["surname"])

    def texts(self) -> Iterable[str]:
        if self.circumstances is None and "circumstances" in self.crimes:
            return self.crimes.loc[self._in_scope(self.crimes), "circumstances"].dropna()
        return self.all_texts()

    def all_texts(self) -> Iterable[str]:
        texts = self.circumstances
        if texts is None:
            texts = (
                self.crimes["circumstances"]
                if "circumstances" in self.crimes
                else pd.Series([], dtype="string")
            )
        return texts.dropna()  # a Series: the gate reads it straight into Arrow


# --------------------------------------------------------------------------------------------
# What the gate looks for, read from an extract's store (memory or the extract cache)


@dataclass
class _Lookups:
    """What the checks of one extract have read and found (see `ExtractSensitive`)."""

    #: each identifier column, and whether it holds `SYSTEM:ref` keys
    identifiers: list[tuple[pa.ChunkedArray, bool]] | None = None
    #: token (upper case) -> whether it is an identifier
    seen: dict[str, bool] = field(default_factory=dict)
    last_born: tuple[frozenset, pd.DataFrame] | None = None  # the last dates asked about, and who
    #: each person row's crime and key; each one's key and names (`ExtractSensitive._name_tables`)
    names: tuple[pa.Table, pa.Table | None] | None = None
    all_texts: pa.ChunkedArray | None = None  # every circumstances text (`all_texts`)
    #: the cache entry those texts were read from (`kept_searches`); None: not from the cache
    texts_entry: Path | None = None
    #: the last request's crimes asked about, and their people's names
    last_named: tuple[frozenset | None, pd.DataFrame] | None = None
    #: the last request's crimes asked about, and their texts (`ExtractSensitive.texts`)
    last_texts: tuple[frozenset | None, pa.ChunkedArray] | None = None


#: the version of what `people_with_dob` and `people_on_request_crimes` give, in the keys of their
#: answers kept in the extract cache: change it when they change
LOOKUPS = "lookups 1"

#: an extract's store -> its `_Lookups`
_LOOKUPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: the same by the extract's files' SHA-256s, for the last `KEPT_EXTRACTS` extracts: the runner
#: opens the extract's cache anew for each request of a batch, and its files are the same
_LOOKUPS_BY_FILES: dict[tuple, _Lookups] = {}
KEPT_EXTRACTS = 2
_LOOKUPS_LOCK = threading.Lock()


def _lookups_for(extract) -> _Lookups:
    """What the checks of this extract have read and found in this process (`_Lookups`): kept
    with its store, and by its files' contents when it says what they are."""
    files = getattr(extract, "files", None)
    digests = (
        tuple(sorted((name, str(info.get("sha256"))) for name, info in files.items()))
        if isinstance(files, dict) and files and all(isinstance(i, dict) for i in files.values())
        else None
    )
    if digests is not None:  # the same files read with another force profile are another extract
        digests += (("(profile)", repr(getattr(extract, "sources", ()))),)
    with _LOOKUPS_LOCK:
        kept = _LOOKUPS.get(extract.store)
        if kept is None and digests is not None and all(d != "None" for _, d in digests):
            kept = _LOOKUPS_BY_FILES.pop(digests, None)
        kept = kept or _Lookups()
        _LOOKUPS[extract.store] = kept
        if digests is not None:
            _LOOKUPS_BY_FILES[digests] = kept  # the newest last
            while len(_LOOKUPS_BY_FILES) > KEPT_EXTRACTS:
                del _LOOKUPS_BY_FILES[next(iter(_LOOKUPS_BY_FILES))]
        return kept


class ExtractSensitive:
    """`Sensitive` over a loaded `helpers.extracts.model.Extract` (or the cache's `CachedFiles`:
    no frames, its columns read from the cache), without a set of every identifier.

    Each identifier column is compared with the release's few candidate tokens, a column at a
    time (Arrow's `is_in`); the columns, once read, are kept for the next check (`prefetch` reads
    them ahead). Names are read from the store only for the dates of birth found in the release.
    `text_ids` are the crimes whose circumstances the run read: the only texts it could have
    copied.

    What the checks read and find depends on the extract alone, so it is kept with the extract's
    store, and by its files' SHA-256s (`_lookups_for`), for every checker of it in the process:
    the kernel makes a new one for each request's tables, the runner one for each request, over
    the extract's cache opened anew.
    """

    def __init__(self, extract, text_ids=None):
        # a gate that cannot see names would pass them (a force whose exports hold no names or
        # dates of birth has none to see)
        if not extract.store.has_personal() and _holds_personal(getattr(extract, "sources", None)):
            raise ValueError(
                "the release gate needs the extract loaded with its personal data"
                " (names, dates of birth)"
            )
        self.extract = extract
        self.text_ids = text_ids
        self._kept = _lookups_for(extract)

    def _sources(self):
        """The force profile's systems the extract was read with."""
        return self.extract.sources

    def identifier_formats(self) -> dict[str, str]:
        return formats_of(self._sources())

    def prefetch(self) -> ExtractSensitive:
        """Read the columns the checks look in now (the runner does it while the notebook runs).
        Not the names nor the dates of birth: the kernel's gate on the tables has asked for the
        people on the request's crimes, and an earlier run mostly for the release's dates, and
        kept the answers in the extract cache (`_kept_answer`)."""
        self._identifier_columns()
        return self

    def _entry(self) -> KeptSearches | None:
        """Where the answers of look-ups in this extract are kept for later processes: its cache
        entry (`helpers.cache.searches`); None for an extract read from its files."""
        # here, not at the top: the cache's module is loaded by whoever opened the entry
        from helpers.cache.entries import EntryStore

        store = self.extract.store
        return KeptSearches(store.folder) if isinstance(store, EntryStore) else None

    def _kept_answer(self, key: str, look_up) -> pd.DataFrame:
        """`look_up()`'s answer (a frame), kept in the extract cache under `key` (`_entry`): the
        kernel's gate on the tables and the runner's on the release ask the same of a request,
        and a run again the same as the last."""
        entry = self._entry()
        kept = entry.table(key) if entry is not None else None
        if kept is not None:
            return kept.to_pandas()
        answer = look_up()
        if entry is not None:
            entry.keep_table(key, pa.Table.from_pandas(answer, preserve_index=False))
        return answer

    def _column(self, table: str, name: str) -> pa.Array:
        """A crimes or charges column: from the frame in memory, else read alone from the cache."""
        frame = getattr(self.extract, table, None)
        if isinstance(frame, pd.DataFrame):
            return pa.array(frame[name].array)
        return self.extract.store.column(table, name)

    def _identifier_columns(self) -> list[tuple[pa.ChunkedArray, bool]]:
        """Each identifier column, and whether it holds `SYSTEM:ref` keys."""
        if self._kept.identifiers is None:
            people = self.extract.store.people(["person_key", "legacy_person_key", "pnc_id"])
            self._kept.identifiers = [
                (self._column("crimes", "crime_id"), False),
                (self._column("crimes", "legacy_ref"), False),
                (people["pnc_id"], False),
                (people["person_key"], True),
                (people["legacy_person_key"], True),
                (self._column("charges", "person_key"), True),
            ]
        return self._kept.identifiers

    def identifiers_present(self, tokens: set[str]) -> set[str]:
        """The tokens that are identifiers in the extract. Each token's answer is kept: request
        after request on the same extract, the briefings share most tokens."""
        seen = self._kept.seen
        unknown = {token.upper() for token in tokens} - seen.keys()
        if unknown:
            found = self._identifiers_among(unknown)
            seen.update((token, token in found) for token in unknown)
        return {token for token in tokens if seen[token.upper()]}

    def _identifiers_among(self, upper: set[str]) -> set[str]:
        wanted = pa.array(sorted(upper), pa.string())
        # person keys are stored `SYSTEM:ref`: prefix the tokens rather than strip a million keys
        keyed = pa.array(
            sorted(f"{source.system}:{token}" for source in self._sources() for token in upper),
            pa.string(),
        )
        found: set[str] = set()
        for column, is_keyed in self._identifier_columns():
            hits = pc.filter(
                column,
                pc.fill_null(pc.is_in(column, value_set=keyed if is_keyed else wanted), False),
            )
            found.update(
                str(value).split(":", 1)[-1].upper() for value in pc.unique(hits).to_pylist()
            )
        return found & upper

    def people_with_dob(self, dates: set[date]) -> pd.DataFrame:
        """The people born on any of `dates` (kept for the same dates, as `identifiers_present`
        keeps its answers: the briefings of one request after another mostly give the same)."""
        key = frozenset(dates)
        last = self._kept.last_born
        if last is None or last[0] != key:
            days = ",".join(sorted(d.isoformat() for d in key))
            # the dates are looked for as the profile's systems write them
            systems = hashlib.sha256(repr(self._sources()).encode("utf-8")).hexdigest()[:16]
            named = f"people born on {days} as systems {systems} write them ({LOOKUPS})"
            answer = self._kept_answer(named, lambda: self._people_with_dob(dates))
            last = self._kept.last_born = (key, answer)
        return last[1]

    def _people_with_dob(self, dates: set[date]) -> pd.DataFrame:
        empty = pd.DataFrame({"surname": [], "forenames": [], "date_of_birth": []})
        if not dates:
            return empty
        written = sorted(
            {day.strftime(source.date_format) for day in dates for source in self._sources()}
        )
        born = self.extract.store.people_born(written)
        if "date_of_birth" not in born.column_names:
            return empty
        frame = born.to_pandas()
        frame["date_of_birth"] = _as_dates(frame["date_of_birth"]).dt.date
        return frame

    def people_on_request_crimes(self) -> pd.DataFrame:
        """The names of the people on the crimes of `text_ids` (kept for the same crimes: the
        tables' gate and the release's ask for one request's)."""
        key = frozenset(self.text_ids) if self.text_ids is not None else None
        last = self._kept.last_named
        if last is None or last[0] != key:
            if key is None:  # every person: not kept
                answer = self._people_named(None)
            else:
                crimes = hashlib.sha256("\n".join(sorted(key)).encode("utf-8")).hexdigest()
                answer = self._kept_answer(
                    f"people named on the crimes {crimes} ({LOOKUPS})",
                    lambda: self._people_named(key),
                )
            last = self._kept.last_named = (key, answer)
        return last[1]

    def _name_tables(self) -> tuple[pa.Table, pa.Table | None]:
        """Each person row's crime and key, and each one's names (read once, kept)."""
        if self._kept.names is None:
            personal = self.extract.store.personal()
            if personal is not None:
                personal = personal.select(
                    [
                        c
                        for c in ("person_key", "surname", "forenames")
                        if c in personal.column_names
                    ]
                )
            self._kept.names = (self.extract.store.people(["crime_id", "person_key"]), personal)
        return self._kept.names

    def _people_named(self, crime_ids: frozenset | None) -> pd.DataFrame:
        people, personal = self._name_tables()
        names = ["surname", "forenames"]
        if personal is None or "surname" not in personal.column_names:
            return pd.DataFrame({n: [] for n in names})
        if crime_ids is not None:
            keys = people.filter(
                pc.fill_null(
                    pc.is_in(
                        people["crime_id"], value_set=pa.array(sorted(crime_ids), pa.string())
                    ),
                    False,
                )
            )["person_key"]
            personal = personal.filter(
                pc.fill_null(pc.is_in(personal["person_key"], value_set=pc.unique(keys)), False)
            )
        frame = personal.select([n for n in names if n in personal.column_names]).to_pandas()
        return frame.dropna(subset=["surname"]).drop_duplicates().reset_index(drop=True)

    def texts(self) -> pa.ChunkedArray:
        """The texts of the crimes of `text_ids` but empty ones, as Arrow (kept for the same
        crimes: the tables' gate and the release's ask for one request's)."""
        key = frozenset(self.text_ids) if self.text_ids is not None else None
        last = self._kept.last_texts
        if last is None or last[0] != key:
            texts = self.extract.store.texts(self.text_ids)["circumstances"]
            texts = texts.filter(pc.fill_null(pc.greater(pc.utf8_length(texts), 0), False))
            last = self._kept.last_texts = (key, texts)
        return last[1]

    def all_texts(self) -> pa.ChunkedArray:
        """Every text, as one object kept with the extract (the copied-text rule keeps what it
        found in them with it)."""
        if self._kept.all_texts is None:
            # here, not at the top: the cache's module is loaded by whoever opened the entry
            from helpers.cache.entries import EntryStore

            store = self.extract.store
            self._kept.all_texts = store.texts(None)["circumstances"]
            self._kept.texts_entry = store.folder if isinstance(store, EntryStore) else None
        return self._kept.all_texts

    def kept_searches(self) -> KeptSearches | None:
        """Where what searches of `all_texts()` found is kept for later processes: the cache
        entry the texts were read from (`helpers.cache.searches`); None for an extract read from
        its files."""
        texts = self.all_texts()
        entry = self._kept.texts_entry
        return KeptSearches(entry, len(texts)) if entry is not None else None


# --------------------------------------------------------------------------------------------
# The search scope: the crimes whose texts a run read, the only texts its briefing could have copied

SEARCH_SCOPE_FILE = "search_scope.csv"


def write_search_scope(restricted: Path, crime_ids) -> None:
    """The crimes whose texts a run read, a CSV of one column `crime_id` (written by Arrow: a
    request may read every crime's text)."""
    ids = pa.array(crime_ids, pa.string())
    pa_csv.write_csv(
        pa.table({"crime_id": ids}),
        Path(restricted) / SEARCH_SCOPE_FILE,
        pa_csv.WriteOptions(quoting_style="needed"),
    )


def read_search_scope(restricted: Path) -> list[str]:
    path = Path(restricted) / SEARCH_SCOPE_FILE
    return pd.read_csv(path, dtype=str)["crime_id"].tolist() if path.is_file() else []
