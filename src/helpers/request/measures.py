"""The answer tables of the request grammar: each table's measure counted, broken down, totalled.

`answer_tables(params, extract)` counts every table of `params.tables` (docs/requests.md) as
exact counts with their units, before disclosure control. A measure yields *events*, one per
(unit counted, crime or charge): one per crime for offences and mentions, one per (person,
crime) for victims and suspects, one per charge for charge measures. Each breakdown gives an
event a label (an offence with victims in two age bands gets both, a charge under two groups
both); a cell counts the distinct units with an event in it, and a Total the distinct units of
its cells: the sum of its parts where no unit can be in two of them, less where one can (a
person in two years is one person).

The rules are the project's: crimes by their first recording (`counting`, whole local days),
units as the disclosure log records them (`request.tables.crime_units`, `person_unit`), linked
individuals (`extracts.people`), the evidence search (`analysis.evidence`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.analysis import evidence, review, review_store
from helpers.disclosure.outcomes import OUTCOME_GROUPS
from helpers.disclosure.tables import TOTAL, Cell, Link, Table
from helpers.errors import ExtractError, ParameterError, ReviewDisagreementError
from helpers.extracts import codes, ho_classes
from helpers.extracts.arrays import take_rows
from helpers.extracts.model import Extract, people_frame
from helpers.request.grammar import (
    AGE_BREAKDOWNS,
    AGE_NOT_KNOWN,
    BREAKDOWN_LABELS,
    CHARGE_COUNTS,
    COUNT_HEADINGS,
    NO_OUTCOME,
    OTHER_OUTCOMES,
    PEOPLE_COUNTS,
    TIME_BREAKDOWNS,
    AgeBand,
    Measure,
    Search,
    TableRequest,
    charge_code_groups,
    class_code_groups,
    measure_classes,
    measure_search,
    request_searches,
    resolve_period,
    search_users,
    table_searches,
)
from helpers.request.parameters import RequestParameters
from helpers.request.tables import (
    CANDIDATES_ROW,
    MANY_CLASSES,
    OVERTURNED_ROW,
    REVIEWED_ROW,
    SEARCHED_ROW,
    AnswerFacts,
    CellUnits,
    crime_units,
    listed,
    named_classes,
    person_unit,
    searched_in_part_row,
)

#: the breakdowns that give every event of a crime or charge exactly one label: a crime (or a
#: charge) is in one of their parts only, so their total is the sum of the parts
ONE_VALUED = (*TIME_BREAKDOWNS, "offence_class", "outcome_group", "system", "search")
#: the first column's heading of a table of a search's review (the first request's)
REVIEW_CORNER = "Free-text search"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class AnswerTable:
    """One table of the answer as exact counts (restricted until disclosure control).

    counts   rows x columns, index name the corner label; a Total row when rows is a breakdown,
             a Total column when columns is
    units    every cell's units, Totals included (the disclosure log's record)
    links    relations between cells the disclosure audit is told: an `of_whom` row a subset of
             the Total, a Total under a label of its own the sum or union of its parts (a Total's
             tie to its parts is otherwise the table's own, `rows_add_up` / `columns_add_up`)
    """

    name: str
    title: str
    question: int
    measure: str
    counts: pd.DataFrame
    units: CellUnits
    rows_add_up: bool
    columns_add_up: bool
    notes: list[str]
    facts: AnswerFacts
    links: list[Link] = field(default_factory=list)
    #: rows below the Total counting a part of it (`of_whom`), not a part of its sum
    subset_rows: tuple[str, ...] = ()
    #: crimes not counted for want of a readable committed date (`date: committed`; restricted)
    undated: int = 0
    #: the charges counted that are on crimes since cancelled (a charge measure of no `status`)
    on_cancelled: int = 0
    #: people of an age breakdown whose dates of birth are written but none could be read: they
    #: are in "Age not known" (restricted; the run warns)
    unread_births: int = 0
    #: the reviews of every search the table reads: its measure's, its `search` breakdown's,
    #: its `of_whom` row's
    reviews: list[SearchReview] = field(default_factory=list)
    #: the measure's events, each crime's row in the extract among them (None: a review table)
    events: Events | None = None

    @property
    def additive(self) -> bool:
        """Every Total is the sum of its parts."""
        return self.rows_add_up and self.columns_add_up

    def table(self) -> Table:
        """The table as disclosure control takes it."""
        return Table(
            self.name,
            self.title,
            self.counts,
            rows_add_up=self.rows_add_up,
            columns_add_up=self.columns_add_up,
            subset_rows=self.subset_rows,
        )

    def cell_units(self) -> dict[Cell, frozenset[str]]:
        """Each cell's units, by the cell as the audit names it."""
        return {(self.name, str(r), str(c)): units for (r, c), units in self.units.items()}

    def exact(self) -> dict[str, dict[str, int]]:
        """{row: {column: n}}, as `restricted/results.json` records it."""
        return {
            str(row): {str(column): int(n) for column, n in values.items()}
            for row, values in self.counts.iterrows()
        }


# ---- days and periods


def day_of(moments: pd.Series) -> pd.Series:
    """The local day of each moment (the extracts' date-times are local time)."""
    return moments.dt.normalize()


def within_days(moments: pd.Series, start: date, end: date) -> pd.Series:
    """True for moments on a day of [start, end]: whole local days, inclusive (as
    `counting.recorded_within`)."""
    first, after = codes.local_day_bounds(start, end)
    return (moments >= first) & (moments < after)


def long_day(day: date) -> str:
    """`5 December 2018`, as the briefing writes a date."""
    return f"{day.day} {day:%B %Y}"


def short_day(day: date) -> str:
    """`5 Dec 2018`, as a table's label writes a date."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def period_words(start: date, end: date) -> str:
    """`from 1 January 2016 to 5 December 2018`."""
    return f"from {long_day(start)} to {long_day(end)}"


def relative_period_words(measure: Measure, as_of: date) -> str | None:
    """How a period counted back from `as_of` is said (None for a period of given days)."""
    period = measure.period
    if period.last_years is not None:
        years = _number(period.last_years, "complete year", "complete years")
        return f"the {years} before {long_day(date(as_of.year, 1, 1))}"
    if period.last_months is not None:
        months = _number(period.last_months, "complete month", "complete months")
        return f"the {months} before {long_day(as_of.replace(day=1))}"
    if period.year_to_date:  # not "the year to ...", which a reader takes for twelve months
        return f"{as_of.year} up to {as_of.day} {as_of:%B}"
    return None


def _number(n: int, one: str, many: str) -> str:
    words = ["", "", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    if n == 1:
        return one
    return f"{words[n] if n < len(words) else f'{n:,}'} {many}"


# ---- time units


def _unit_start(kind: str, day: date) -> date:
    """The first day of the time unit holding `day`."""
    if kind == "year":
        return date(day.year, 1, 1)
    if kind == "financial_year":  # April to March
        return date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    if kind == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def _next_start(kind: str, first: date) -> date:
    months = {"year": 12, "financial_year": 12, "quarter": 3, "month": 1}[kind]
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def time_unit_label(kind: str, first: date) -> str:
    """A time unit's label: `2017`, `2017/18`, `Jan to Mar 2017`, `Jan 2017`."""
    if kind == "year":
        return str(first.year)
    if kind == "financial_year":
        return f"{first.year}/{(first.year + 1) % 100:02d}"
    if kind == "quarter":
        return f"{_MONTHS[first.month - 1]} to {_MONTHS[first.month + 1]} {first.year}"
    return f"{_MONTHS[first.month - 1]} {first.year}"


def cut_label(base: str, unit: tuple[date, date], period: tuple[date, date]) -> str:
    """A unit's label, saying where the period cuts it: ` (to 5 Dec 2018)`, ` (from ...)`, or
    ` (5 Dec 2018 to 31 Dec 2018)`."""
    cut_start, cut_end = unit[0] < period[0], unit[1] > period[1]
    if cut_start and cut_end:
        return f"{base} ({short_day(period[0])} to {short_day(period[1])})"
    if cut_end:
        return f"{base} (to {short_day(period[1])})"
    if cut_start:
        return f"{base} (from {short_day(period[0])})"
    return base


def time_units(
    kind: str, start: date, end: date, cut_labels: bool = True
) -> list[tuple[date, str]]:
    """Every unit overlapping the period, in order: (the first day counted in it, its label,
    saying where the period cuts it unless not `cut_labels`)."""
    units = []
    first = _unit_start(kind, start)
    while first <= end:
        following = _next_start(kind, first)
        last = following - timedelta(days=1)
        label = time_unit_label(kind, first)
        if cut_labels:
            label = cut_label(label, (first, last), (start, end))
        units.append((max(first, start), label))
        first = following
    return units


# ---- ages


def age_on(born: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years from `born` to `on` (NaN where either is unknown, or `born` is after `on`: a
    date of birth keyed wrongly, Age not known): a birthday counts on its day."""
    before = (on.dt.month < born.dt.month) | (
        (on.dt.month == born.dt.month) & (on.dt.day < born.dt.day)
    )
    years = on.dt.year - born.dt.year - before.astype(float)
    return years.where(years >= 0)


def age_band(age: float, bands: Sequence[AgeBand]) -> str:
    """The band of an age (Age not known where there is none). The bands hold every age
    (`grammar.check_age_bands`)."""
    if pd.isna(age):
        return AGE_NOT_KNOWN
    for band in bands:
        if (band.low is None or age >= band.low) and (band.high is None or age <= band.high):
            return band.label
    raise ValueError(f"no age band holds the age {age}")


# ---- outcomes, classes, systems


def outcome_rows(grouping: dict[str, list[int]] | None) -> list[str]:
    """The outcome rows in order: the Home Office groups, or the request's then two more."""
    if grouping is None:
        return list(OUTCOME_GROUPS)
    return [*grouping, OTHER_OUTCOMES, NO_OUTCOME]


def outcome_row(outcome: pd.Series, grouping: dict[str, list[int]] | None) -> pd.Series:
    """Each crime's outcome row, by its current outcome (none yet: its own row)."""
    if grouping is None:
        group_of = {str(o): group for group, outcomes in OUTCOME_GROUPS.items() for o in outcomes}
        keys = outcome.astype("Int64").astype("string").fillna(codes.PENDING)
        return keys.map(group_of).astype(object)
    own = {o: label for label, outcomes in grouping.items() for o in outcomes}
    numbers = outcome.astype("Int64")
    rows = numbers.map(lambda o: own.get(int(o), OTHER_OUTCOMES) if pd.notna(o) else NO_OUTCOME)
    return rows.astype(object)


def systems_oldest_first(extract: Extract) -> list[str]:
    """The profile's systems, each after the system it took crimes over from."""
    legacy_of = {source.system: source.legacy_system for source in extract.sources}

    def depth(system: str) -> int:
        steps, seen = 0, {system}
        while (older := legacy_of.get(system)) and older not in seen:
            steps, system = steps + 1, older
            seen.add(system)
        return steps

    order = list(legacy_of) or list(dict.fromkeys(extract.crimes["system"].astype(str)))
    return sorted(order, key=depth)


def first_system(crimes: pd.DataFrame, extract: Extract) -> pd.Series:
    """The system each crime was first recorded on: the one its system took it over from, for a
    migrated crime (it names its legacy reference), else its own."""
    legacy_of = {source.system: source.legacy_system for source in extract.sources}
    system = crimes["system"].astype(str)
    older = system.map({s: legacy or s for s, legacy in legacy_of.items()}).fillna(system)
    return older.where(crimes["legacy_ref"].notna(), system).astype(object)


def arrow_strings(values) -> pa.Array:
    """`values` as one Arrow array of text (pandas' Arrow-backed text comes chunked)."""
    array = pa.array(values, pa.string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def in_set(values: pd.Series | pd.Index, wanted) -> np.ndarray:
    """`values.isin(wanted)` for many wanted strings, in Arrow (pandas makes an Arrow scalar of
    each wanted string first: seconds for a table of all crimes)."""
    value_set = pa.array(
        list(wanted) if isinstance(wanted, (set, frozenset)) else wanted, pa.string()
    )
    found = pc.is_in(pa.array(values, pa.string()), value_set=value_set)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


# ---- what the measures read of the extract, once per run


#: a look-up's answer of more rows is not kept (`kept_look_up`): as quick to make again as to
#: read back, and it would fill the entry (the people on 400,000 crimes)
KEPT_ROWS_AT_MOST = 50_000
#: what the measures read of the person rows (in_role, born)
VIEW_PEOPLE_COLUMNS = ["crime_id", "crime_row", "individual_id", "role", "file", "personal_row"]


class ExtractView:
    """The extract's people and dates of birth, read once for all the tables."""

    def __init__(self, extract: Extract) -> None:
        self.extract = extract
        self._people_on: dict[bytes, pd.DataFrame] = {}  # by the crimes' rows

    @cached_property
    def crimes(self) -> pd.DataFrame:
        return self.extract.crimes.set_index("crime_id", drop=False)

    @cached_property
    def classes_held(self) -> frozenset[str]:
        return classes_held(self.extract)

    @cached_property
    def crime_ids(self) -> pa.Array | pa.ChunkedArray:
        return pa.array(self.extract.crimes["crime_id"], pa.string())

    def crime_rows(self, crime_ids: pd.Series) -> np.ndarray:
        """Each crime ID's row in `crimes` (-1 for none): an event keeps its crime's row, and its
        crime's columns are taken by row, not looked up by ID. The few IDs asked for are found
        in one pass over the crimes (no hash of every crime ID)."""
        wanted = arrow_strings(crime_ids)
        hit = np.flatnonzero(
            pc.is_in(self.crime_ids, value_set=pc.unique(wanted)).to_numpy(zero_copy_only=False)
        )
        at = pc.index_in(wanted, value_set=arrow_strings(self.crime_ids.take(hit)))
        at = pc.fill_null(at, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        return np.where(at >= 0, hit[np.maximum(at, 0)] if len(hit) else -1, -1)

    def crime_values(self, rows: np.ndarray, column: str) -> pd.Series:
        """`column` of the crimes at `rows` (missing where a row is -1)."""
        rows = np.asarray(rows, dtype=np.int64)
        found = rows >= 0
        values = self.crimes[column]
        if not found.any():  # none held (and perhaps no crime at all to stand in for them)
            return pd.Series([None] * len(rows), dtype=object)
        taken = values.iloc[np.where(found, rows, rows[found][0])].reset_index(drop=True)
        return taken.where(pd.Series(found)) if not found.all() else taken

    @cached_property
    def people(self) -> pa.Table:
        """The person records, as Arrow: a look-up filters here and makes only its own rows
        pandas (a request asks of few of an extract's people)."""
        return self.extract.store.people(VIEW_PEOPLE_COLUMNS)

    @cached_property
    def people_crime_rows(self) -> np.ndarray:
        """Each person row's crime's row in `crimes` (-1: a crime set aside)."""
        return self.people["crime_row"].to_numpy()

    def people_on(self, crime_rows: np.ndarray) -> pd.DataFrame:
        """The person records (linked to an individual) on the crimes at `crime_rows`: marked by
        row number, not found by hashing every person row's crime ID. Kept for the next ask of
        the same crimes (a table of victims and one of suspects of one measure's crimes), and in
        the cache entry for the next run (`kept_look_up`)."""
        rows = np.unique(np.asarray(crime_rows, dtype=np.int64))
        rows = rows[rows >= 0]
        key = rows.tobytes()
        if key not in self._people_on:

            def linked() -> pa.Table:
                marked = np.zeros(len(self.extract.crimes) + 1, dtype=bool)  # the last: row -1
                marked[rows] = True
                return self._linked_table(marked[self.people_crime_rows])

            self._people_on[key] = linked_frame(self.kept_look_up("people on crimes", rows, linked))
        return self._people_on[key]

    def kept_look_up(
        self, what: str, asked: np.ndarray, look_up: Callable[[], pa.Table]
    ) -> pa.Table:
        """The answer of a look-up (`what`, of the numbers `asked`) kept in the extract's cache
        entry, else `look_up()`, then kept there: a request run again (run, review, run again)
        finds its people and their dates of birth without reading the 2 million person rows.
        Kept under the look-up's code too: a change to it looks up again."""
        kept = kept_searches(self.extract, 0)
        if kept is None:
            return look_up()
        key = json.dumps(
            {
                "look-up": what,
                "of": hashlib.sha256(
                    np.ascontiguousarray(asked, dtype="<i8").tobytes()
                ).hexdigest(),
                "code": look_up_code_fingerprint(),
            }
        )
        answer = kept.table(key)
        if answer is None:
            answer = look_up()
            if answer.num_rows <= KEPT_ROWS_AT_MOST:
                kept.keep_table(key, answer)
        return answer

    @cached_property
    def individual_codes(self) -> np.ndarray:
        """Each person row's individual as a number (-1 for none): its place in the column's one
        dictionary, as the cache stores it; a person's rows are then found by number."""
        column = self.people["individual_id"]
        chunks = column.chunks
        if not (pa.types.is_dictionary(column.type) and chunks) or not all(
            chunk.dictionary.equals(chunks[0].dictionary) for chunk in chunks[1:]
        ):  # read without the cache, or pieces of their own: numbered here
            chunks = [pc.dictionary_encode(pc.cast(column, pa.string())).combine_chunks()]
        return np.concatenate(
            [
                pc.fill_null(chunk.indices, -1).to_numpy()
                if chunk.null_count
                else chunk.indices.to_numpy()
                for chunk in chunks
            ]
        )

    def _linked_table(self, found: np.ndarray) -> pa.Table:
        """The person rows where `found` holds and that are linked to an individual, with the
        individual's number (`individual`), as Arrow (`linked_frame` makes them pandas)."""
        found &= self.individual_codes >= 0
        return self.people.filter(found).append_column(
            "individual", pa.array(self.individual_codes[found])
        )

    def in_role(self, role: str, crime_rows: np.ndarray | None = None) -> pd.DataFrame:
        """(crime_id, individual_id, individual: its number), each pair once, of the people in
        `role` on a crime (of the crimes at `crime_rows`, if given: the crimes a measure counts,
        not every crime's people)."""
        if crime_rows is None:
            people = linked_frame(self._linked_table(np.ones(self.people.num_rows, dtype=bool)))
        else:
            people = self.people_on(crime_rows)
        pairs = people.loc[people["role"] == role, ["crime_id", "individual_id", "individual"]]
        return pairs.drop_duplicates().reset_index(drop=True)

    def born(self, individuals: np.ndarray) -> pd.Series:
        """Each of these individuals' date of birth, by their numbers (`individual`): the earliest
        any of their records gives, read in its system's date format (NaT where a record gives
        one that no format reads, and none gives one that does; absent where none gives one; a
        record set aside gives none). Only their records are read, found by number, each at its
        row of its file's personal data: an extract holds a date of birth for every person
        record, and a request asks of few."""
        store = self.extract.store
        if not store.has_personal():
            raise ExtractError(
                "an age breakdown needs the extracts' dates of birth: load them with personal data"
            )
        asked = np.unique(np.asarray(individuals, dtype=np.int64))
        asked = asked[asked >= 0]
        dated = self.kept_look_up("dates of birth", asked, lambda: self._born_table(asked))
        return pd.Series(
            dated["born"].to_numpy(), index=dated["individual"].to_numpy(), dtype="datetime64[s]"
        )

    def _born_table(self, asked: np.ndarray) -> pa.Table:
        """`born` of the individuals `asked` (their numbers, each once), as Arrow: `individual`,
        `born`."""
        store = self.extract.store
        numbers = self.individual_codes
        wanted = np.zeros(numbers.max(initial=-1) + 2, dtype=bool)  # the last: a number of -1
        wanted[asked[asked < len(wanted) - 1]] = True
        rows = np.flatnonzero(wanted[numbers])
        records = take_rows(self.people.select(["file", "personal_row"]), rows).to_pandas()
        records["individual"] = numbers[rows]
        system_of = {name: file["system"] for name, file in self.extract.files.items()}
        source_of = {source.system: source for source in self.extract.sources}
        parts = [pd.Series(dtype="datetime64[s]")]
        for file, theirs in records.groupby(records["file"].astype(str), sort=False):
            personal = store.personal_of(file, ["date_of_birth"])
            source = source_of.get(system_of.get(file, ""))
            if personal is None or personal.num_columns == 0 or source is None:
                continue
            written = take_rows(personal["date_of_birth"], theirs["personal_row"].to_numpy())
            formats = (source.date_format, *source.datetime_formats)
            read = codes.parse_datetimes(written, formats)
            values = read.to_pandas().to_numpy()
            # a date no format reads stays, as NaT: its person is told apart from one with none
            given = pc.is_valid(codes.as_text(written)).to_numpy(zero_copy_only=False)
            parts.append(
                pd.Series(
                    values[given],
                    index=theirs["individual"].to_numpy()[given],
                    dtype="datetime64[s]",
                )
            )
        earliest = pd.concat(parts).groupby(level=0).min()  # NaT only where none was read
        return pa.table(
            {
                "individual": pa.array(earliest.index.to_numpy(dtype=np.int64)),
                "born": pa.array(earliest.to_numpy(dtype="datetime64[s]"), pa.timestamp("s")),
            }
        )


def linked_frame(table: pa.Table) -> pd.DataFrame:
    """`ExtractView._linked_table`'s person rows as pandas, the individual's number as stored."""
    people = people_frame(table.drop_columns(["individual"]))
    return people.assign(individual=table["individual"].to_numpy())


@functools.cache
def look_up_code_fingerprint() -> str:
    """A hash of the code that answers the look-ups kept in a cache entry (`kept_look_up`): this
    module's, the model's, how an entry's files and their dates and rows are read."""
    digest = hashlib.sha256()
    for module in (
        __name__,
        "helpers.extracts.model",
        "helpers.extracts.codes",
        "helpers.extracts.arrays",
        "helpers.cache.entries",
    ):
        spec = find_spec(module)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"{module}: not found", name=module)
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()


# ---- events: what a measure counts


@dataclass
class Events:
    """A measure's events: unit, crime_id, day (the day it counts by), individual_id (people
    and charges), cjs_code (charges)."""

    frame: pd.DataFrame
    role: str | None = None  # the role of the events' people (victims, suspects)
    undated: int = 0
    review: SearchReview | None = None
    on_cancelled: int = 0  # charges counted on crimes since cancelled (no `status` given)


def crime_status(crimes: pd.DataFrame, status: str) -> pd.Series:
    """live: not cancelled; cancelled: only cancelled; all: both."""
    if status == "live":
        return ~crimes["cancelled"]
    if status == "cancelled":
        return crimes["cancelled"].astype(bool)
    return pd.Series(True, index=crimes.index)


def crime_day(crimes: pd.DataFrame, basis: str) -> pd.Series:
    """The moment a crime measure counts a crime by: its first recording, or its committed date
    (empty where it could not be read)."""
    return crimes["recorded_at" if basis == "recorded" else "committed_at"]


# ---- searches of the circumstances, and the reviewers' decisions on what they found


@dataclass
class SearchReview:
    """A search of the request (one of `searches`, or a measure's own `terms`) as a reviewer
    sees it, and the decisions the counts of its measures used."""

    search: str
    measures: list[str]  # the measures that count its crimes
    candidates: pd.DataFrame  # the worklist (review.CANDIDATE_COLUMNS), least certain first
    run: review.RunReview
    outcome: review.ReviewOutcome
    searched: pa.Array  # the crimes whose texts it read
    searched_rows: np.ndarray  # their rows in the extract's crimes
    in_part: list[str] = field(default_factory=list)  # of those, read only in part (too long)

    def summary(self) -> dict:
        """As `restricted/results.json` records it (`search_reviews`) and the run reports it."""
        return {
            "search": self.search,
            "measures": self.measures,
            "worklist": f"restricted/{review.search_worklist(self.search)}",
            **review.review_summary(self.run, self.outcome, len(self.candidates)),
        }


def reviewed_search(
    extract: Extract,
    params: RequestParameters,
    name: str,
    spec: Search,
    chosen: pd.DataFrame,
    users: list[str],
) -> SearchReview:
    """What the search `name` counts of the crimes `chosen` (index: crime ID; the crimes of its
    measures `users`): its call on each crime with a match, except where a reviewer decided
    otherwise in the request's review store (the search's own question)."""
    terms, exclude = list(spec.terms), list(spec.exclude_terms)
    mentions, by_crime, in_part = mentioning(extract, chosen.index, terms, exclude)
    by_crime = by_crime.set_index("crime_ref")
    crime_ids = chosen.index[in_set(chosen.index, by_crime.index)]
    texts = extract.circumstances(crime_ids)
    crimes = extract.crimes
    aliases = review.crime_aliases(
        crimes.loc[crimes["crime_id"].isin(by_crime.index), ["crime_id", "legacy_ref"]]
    )
    named = params.path(spec.decisions_file) if spec.decisions_file else None
    run = review.decisions_for_run(
        texts.reindex(by_crime.index),
        aliases,
        review_store.store_for(params),
        review.read_decisions(named) if named is not None else None,
        named.name if named is not None else "",
        spec.second_review,
        question=spec.review_question(name),
    )
    if params.strict and run.disagreements:
        raise ReviewDisagreementError(
            f"{len(run.disagreements)} open disagreement(s) between the first and the second "
            f"reviewer of the search {name} and strict is on; first: "
            f"{run.disagreements[0]['reference']} (settle it in notebooks/evidence_review.ipynb "
            "with a new first decision)"
        )
    outcome = replace(review.apply_decisions(by_crime, run.used), unmatched_decisions=run.unmatched)
    scope = pd.DataFrame(
        {
            "year": chosen.loc[crime_ids, "recorded_at"].dt.year.to_numpy(),
            "in_scope_as": chosen.loc[crime_ids, "in_scope_as"].to_numpy(),
            "circumstances": texts.reindex(crime_ids).to_numpy(),
        },
        index=crime_ids,
    )
    worklist = review.worklist(scope, mentions, by_crime, run)
    searched = arrow_strings(chosen["crime_id"])
    rows = chosen["crime_row"].to_numpy()
    return SearchReview(name, users, worklist, run, outcome, searched, rows, in_part)


class Searches:
    """The request's searches, each made once over the crimes of every measure of a table that
    uses it (a measure alone for its own `terms`), on first use."""

    def __init__(self, view: ExtractView, params: RequestParameters) -> None:
        self.view, self.params = view, params
        self.done: dict[str, SearchReview] = {}
        self._selected: dict[str, tuple[pd.DataFrame, int]] = {}
        self._crimes: dict[CrimeSelection, tuple[pd.DataFrame, int]] = {}
        self._charges: dict[ChargeSelection, pd.DataFrame] = {}

    def selected(self, measure: str) -> tuple[pd.DataFrame, int]:
        """The crimes a measure counts before its search, once for the search and its own
        events: a crime measure's (`selected_crimes`), a charge measure's charges' crimes."""
        if measure not in self._selected:
            if self.params.measures[measure].count in CHARGE_COUNTS:
                rows = self.charges(measure)["crime_row"].to_numpy()
                rows = np.unique(rows[rows >= 0])
                self._selected[measure] = (self.view.crimes.iloc[rows].assign(crime_row=rows), 0)
            else:
                selection = CrimeSelection.of(self.params, measure)
                if selection not in self._crimes:  # measures of the same crimes select once
                    self._crimes[selection] = selected_crimes(self.view, selection)
                self._selected[measure] = self._crimes[selection]
        return self._selected[measure]

    def charges(self, measure: str) -> pd.DataFrame:
        """`selected_charges` of a charge measure, once for its search and its own events, and
        for every measure of the same charges."""
        selection = ChargeSelection.of(self.params, measure)
        if selection not in self._charges:
            self._charges[selection] = selected_charges(self.view, selection)
        return self._charges[selection]

    def users(self, search: str) -> list[str]:
        """The measures of the request's tables that count the search's crimes, or whose tables
        split them by it (`rows: search`, `of_whom`)."""
        params = self.params
        return search_users(search, params.tables, params.measures, params.searches)

    def counted(self, search: str, crime_ids: pd.Series) -> np.ndarray:
        """Whether the search (a name in `searches`) counts each crime of `crime_ids`."""
        reviewed = self.review(search, self.params.searches[search])
        return in_set(crime_ids, reviewed.outcome.counted)

    def days_of(self, users: list[str]) -> list[str]:
        """The measures of `users` whose days a search of `scope: all_crimes` reads every crime
        of: those that count crimes (all of them, where none does)."""
        measures = self.params.measures
        return [name for name in users if not measures[name].counts_charges] or users

    def recorded_in_days(self, users: list[str]) -> np.ndarray:
        """The rows of every crime not cancelled recorded in the days of the measures `days_of`
        of `users` (each measure's days: not the gaps between them)."""
        crimes = self.view.crimes
        recorded = np.zeros(len(crimes), dtype=bool)
        for name in self.days_of(users):
            days = resolve_period(self.params.measures[name].period, self.params.as_of_date)
            recorded |= within_days(crimes["recorded_at"], *days).fillna(False).to_numpy(bool)
        return np.flatnonzero(recorded & ~crimes["cancelled"].to_numpy(dtype=bool))

    def narrowed(
        self, measure: str, chosen: pd.DataFrame
    ) -> tuple[pd.DataFrame, SearchReview | None]:
        """The rows of `chosen` (crimes or charges, by `crime_id`) whose crime the measure's
        search counts, and its review; all of `chosen` for a measure with no search."""
        found = measure_search(measure, self.params.measures[measure], self.params.searches)
        if found is None:
            return chosen, None
        reviewed = self.review(*found)
        return chosen.loc[in_set(chosen["crime_id"], reviewed.outcome.counted)], reviewed

    def review(self, search: str, spec: Search) -> SearchReview:
        if search not in self.done:
            users = self.users(search)
            rows = [self.selected(name)[0]["crime_row"].to_numpy() for name in users]
            if spec.scope == "all_crimes":
                rows.append(self.recorded_in_days(users))
            union = np.unique(np.concatenate(rows))
            of = dict(zip(users, rows[: len(users)], strict=True))
            why = in_scope_as(union, of, self.days_of(users))
            chosen = self.view.crimes.iloc[union].assign(crime_row=union, in_scope_as=why)
            self.done[search] = reviewed_search(
                self.view.extract, self.params, search, spec, chosen, users
            )
        return self.done[search]


def in_scope_as(
    union: np.ndarray, rows_of: dict[str, np.ndarray], days_of: list[str]
) -> np.ndarray:
    """Why each crime of `union` (rows of the extract's crimes) was searched, as its worklist
    says: the measures whose crimes it is one of ("a crime of offences and charged"), else
    recorded in the days of the measures `days_of` (a search of `scope: all_crimes`)."""
    names = list(rows_of)
    among = np.column_stack([np.isin(union, rows_of[name]) for name in names])
    kinds, kind_of = np.unique(among, axis=0, return_inverse=True)
    words = [
        f"a crime of {listed([n for n, of in zip(names, kind, strict=True) if of])}"
        if kind.any()
        else f"a crime recorded in the days of {listed(days_of, last='or')}"
        for kind in kinds
    ]
    return np.array(words, dtype=object)[kind_of.reshape(-1)]


def review_note(reviewed: SearchReview) -> str:
    """How far a reviewer has read what the search found, for the method: the rule, no figures
    (the counts of candidates and decisions stay in `restricted/`)."""
    candidates, decided = len(reviewed.candidates), reviewed.outcome.reviewed
    if not candidates:
        return "The search found no crime for a reviewer to read."
    if decided >= candidates:
        return "A reviewer read every crime the search found and decided whether it counts."
    if decided:
        return (
            "A reviewer read some of the crimes the search found and decided whether each "
            "counts; the rest are counted as the search called them."
        )
    return (
        "The crimes the search found are counted as the search called them: no reviewer has "
        "read them yet."
    )


def mentioning(
    extract: Extract, crime_ids: pd.Index, terms: list[str], exclude: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The mentions of `terms` in the circumstances of `crime_ids` outside every excluded
    phrase, each crime's call (`evidence.find_mentions_outside`), and the crimes whose texts
    were searched only in part (`evidence.searched_in_part`). Both are kept in the extract's
    cache entry: a run again of a request asks the same of the same texts
    (`helpers.cache.searches`; its key names the search's code)."""
    kept = kept_searches(extract, len(crime_ids))
    key = mentions_key(crime_ids, terms, exclude)
    in_part_key = f"{key} in part"
    if (
        kept is not None
        and (table := kept.table(key)) is not None
        and (in_part := kept.table(in_part_key)) is not None
    ):
        mentions = table.to_pandas()
        return mentions, evidence.classify_crimes(mentions), in_part["crime_id"].to_pylist()
    mentions, by_crime, partly = search_candidates(extract, crime_ids, terms, exclude)
    if kept is not None:
        kept.keep_table(key, pa.Table.from_pandas(mentions, preserve_index=False))
        kept.keep_table(in_part_key, pa.table({"crime_id": pa.array(partly, pa.string())}))
    return mentions, by_crime, partly


def search_candidates(
    extract: Extract, crime_ids: pd.Index, terms: list[str], exclude: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """`mentioning`, searched for in every text of `crime_ids`."""
    texts = extract.circumstances(crime_ids)
    mentions, by_crime = evidence.find_mentions_outside(texts, terms, exclude)
    return mentions, by_crime, [str(crime) for crime in evidence.searched_in_part(texts)]


def kept_searches(extract: Extract, texts: int):
    """Where searches of `texts` texts of the extract are kept: its cache entry (None for an
    extract read from its files)."""
    # here, not at the top: the cache's modules are loaded by whoever opened the entry
    from helpers.cache.entries import EntryStore
    from helpers.cache.searches import KeptSearches

    store = extract.store
    return KeptSearches(store.folder, texts) if isinstance(store, EntryStore) else None


def mentions_key(crime_ids: pd.Index, terms: list[str], exclude: list[str]) -> str:
    """What names a mentions search where it is kept: its terms and excluded phrases, the
    crimes searched (a hash of their IDs, in order), how many words of a text it reads, and the
    search's code."""
    crimes = hashlib.sha256("\n".join(crime_ids.astype(str).tolist()).encode("utf-8"))
    return json.dumps(
        {
            "mentions of": terms,
            "excluding": exclude,
            "crimes": crimes.hexdigest(),
            "words read": evidence.WORD_LIMIT,
            "code": evidence.search_code_fingerprint(),
        }
    )


@dataclass(frozen=True)
class CrimeSelection:
    """All that selects a crime measure's crimes (`selected_crimes`): two measures equal in it
    count the same crimes (offences, and their victims, by year and by age), selected once."""

    status: str
    classes: tuple[str, ...]  # sorted; none: every class
    by_date: str
    period: tuple[date, date]

    @classmethod
    def of(cls, params: RequestParameters, name: str) -> CrimeSelection:
        measure = params.measures[name]
        return cls(
            measure.by_status,
            tuple(sorted(measure_classes(name, measure, params.class_groups))),
            measure.by_date,
            resolve_period(measure.period, params.as_of_date),
        )

    def holds(self, other: CrimeSelection) -> bool:
        """Whether every crime `other` selects is one of this selection's: the same status and
        date, a period inside this one's, classes among this one's (or this one of any class)."""
        return (
            (self.status, self.by_date) == (other.status, other.by_date)
            and self.period[0] <= other.period[0]
            and other.period[1] <= self.period[1]
            and (
                not self.classes
                or (bool(other.classes) and set(other.classes) <= set(self.classes))
            )
        )


def selected_crimes(view: ExtractView, selection: CrimeSelection) -> tuple[pd.DataFrame, int]:
    """The crimes a crime measure counts before its search, with their row (`crime_row`), and
    how many of its crimes have no date to count by."""
    crimes = view.crimes
    keep = crime_status(crimes, selection.status).to_numpy(dtype=bool, copy=True)
    if selection.classes:
        keep &= crimes["ho_class"].isin(selection.classes).to_numpy(dtype=bool)
    moments = crime_day(crimes, selection.by_date)
    undated = int((keep & moments.isna().to_numpy(dtype=bool)).sum())
    keep &= within_days(moments, *selection.period).fillna(False).to_numpy(dtype=bool)
    return crimes.loc[keep].assign(crime_row=np.flatnonzero(keep)), undated


def crime_events(
    view: ExtractView, params: RequestParameters, name: str, measure: Measure, searches: Searches
) -> Events:
    """The events of a crime measure (offences, mentions, victims, suspects)."""
    chosen, undated = searches.selected(name)
    chosen, reviewed = searches.narrowed(name, chosen)
    base = pd.DataFrame(
        {
            "crime_id": chosen["crime_id"].to_numpy(),
            "day": day_of(crime_day(chosen, measure.by_date)).to_numpy(),
            "unit": crime_units(chosen).to_numpy(),
            "crime_row": chosen["crime_row"].to_numpy(),
        }
    )
    if measure.count in ("offences", "mentions"):
        return Events(base, None, undated, reviewed)
    role = "victim" if measure.count == "victims" else "suspect"
    people = view.in_role(role, base["crime_row"].to_numpy())
    events = base.drop(columns="unit").merge(people, on="crime_id")
    events["unit"] = events["individual_id"].map(person_unit)
    return Events(events, role, undated, reviewed)


def compared_codes(charges: pd.DataFrame) -> pd.Series:
    """Each charge's code as a measure's codes are compared with it: no spaces, in capitals."""
    return charges["cjs_code"].astype(str).str.replace(" ", "").str.upper()


@dataclass(frozen=True)
class ChargeSelection:
    """All that selects a charge measure's charges (`selected_charges`): two measures equal in
    it count the same charges (people charged, and charges, of the same codes), selected once."""

    codes: tuple[str, ...] | None  # sorted, as compared; None: every code
    classes: tuple[str, ...]  # sorted; none: every class
    period: tuple[date, date]
    status: str  # of the crime charged on

    @classmethod
    def of(cls, params: RequestParameters, name: str) -> ChargeSelection:
        measure = params.measures[name]
        groups = {key: group.codes for key, group in (params.charge_groups or {}).items()}
        codes_ = {c for entry in charge_code_groups(name, measure, groups).values() for c in entry}
        return cls(
            tuple(sorted(codes_)) if measure.charge_codes else None,
            tuple(sorted(measure_classes(name, measure, params.class_groups))),
            resolve_period(measure.period, params.as_of_date),
            measure.by_status,
        )


def selected_charges(view: ExtractView, selection: ChargeSelection) -> pd.DataFrame:
    """The charges a charge measure counts before its search: each charge once, dated in the
    period, under the codes (every code, for a measure that names none), on a crime of the
    status (a crime the extract does not hold counts as not cancelled) and, if given, of the
    classes, with its crime's row (`crime_row`, -1 for a crime the extract does not hold), its
    code as compared, and whether its crime is cancelled (`cancelled`)."""
    charges = view.extract.charges
    code = compared_codes(charges)
    keep = within_days(charges["charge_date"], *selection.period).fillna(False)
    if selection.codes is not None:  # none: every charge on a crime of its classes
        keep &= code.isin(selection.codes)
    chosen = charges.loc[keep.to_numpy(dtype=bool)]
    rows = chosen["crime_row"].to_numpy(dtype=np.int64)
    if selection.classes:
        of_classes = view.crime_values(rows, "ho_class").isin(selection.classes)
        keep_rows = of_classes.to_numpy(dtype=bool)
        chosen, rows = chosen.loc[keep_rows], rows[keep_rows]
    cancelled = view.crime_values(rows, "cancelled").fillna(False).to_numpy(dtype=bool)
    if selection.status != "all":
        keep_rows = cancelled if selection.status == "cancelled" else ~cancelled
        chosen, rows, cancelled = chosen.loc[keep_rows], rows[keep_rows], cancelled[keep_rows]
    return chosen.assign(code=code.loc[chosen.index], crime_row=rows, cancelled=cancelled)


def charge_events(
    view: ExtractView, params: RequestParameters, name: str, measure: Measure, searches: Searches
) -> Events:
    """The events of a charge measure (`selected_charges`), those on a crime its search counts
    if it has one."""
    chosen, reviewed = searches.narrowed(name, searches.charges(name))
    day = day_of(chosen["charge_date"])
    frame = pd.DataFrame(
        {
            "crime_id": chosen["crime_id"].to_numpy(),
            "day": day.to_numpy(),
            "individual_id": chosen["individual_id"].to_numpy(),
            "cjs_code": chosen["code"].to_numpy(),
            "crime_row": chosen["crime_row"].to_numpy(),
        }
    )
    if measure.count == "people_charged":
        frame["unit"] = frame["individual_id"].map(person_unit)
    else:
        rows = frame["crime_row"].to_numpy()
        known = rows >= 0
        of_crime = crime_units(view.crimes.iloc[np.where(known, rows, 0)]).to_numpy(dtype=object)
        unknown = ("crime:" + frame["crime_id"].astype(str)).to_numpy(dtype=object)
        crime = pd.Series(np.where(known, of_crime, unknown), index=frame.index, dtype=object)
        frame["unit"] = (
            "charge:"
            + crime
            + "|"
            + frame["individual_id"].astype(str)
            + "|"
            + frame["cjs_code"]
            + "|"
            + pd.Series(day.dt.strftime("%Y-%m-%d").to_numpy(), index=frame.index)
            + count_suffix(chosen)
        )
    # counted, as charges laid: said where the measure did not say whether it counts them
    on_cancelled = int(chosen["cancelled"].sum()) if measure.status is None else 0
    return Events(frame, review=reviewed, on_cancelled=on_cancelled)


def count_suffix(charges: pd.DataFrame) -> pd.Series:
    """A charge's unit's mark of its count: none for the first (so a unit is what it was before
    systems numbered their charges), `#2` for a second count of the same offence, ..."""
    count_no = charges["count_no"].to_numpy() if "count_no" in charges else None
    if count_no is None or not count_no.any():
        return pd.Series("", index=range(len(charges)), dtype=object)
    marks = np.where(count_no > 0, "#" + (count_no + 1).astype(str), "")
    return pd.Series(marks, index=range(len(charges)), dtype=object)


def measure_events(
    view: ExtractView,
    params: RequestParameters,
    name: str,
    period: tuple[date, date],
    searches: Searches,
) -> Events:
    measure = params.measures[name]
    if measure.count in CHARGE_COUNTS:
        return charge_events(view, params, name, measure, searches)
    return crime_events(view, params, name, measure, searches)


# ---- breakdowns: the labels in order, and each event's labels


@dataclass
class Split:
    """A breakdown of the events: its labels in order and (event, label) pairs (an event may
    have several, or none)."""

    labels: list[str]
    pairs: pd.DataFrame  # event, label
    #: an age breakdown's people whose dates of birth were written but not read (`ExtractView.born`)
    unread_births: int = 0


def _one_each(labels: list[str], of_events: pd.Series) -> Split:
    pairs = pd.DataFrame({"event": np.arange(len(of_events)), "label": of_events.to_numpy()})
    return Split(labels, pairs.dropna(subset=["label"]))


def time_split(
    kind: str, events: Events, period: tuple[date, date], cut_labels: bool = True
) -> Split:
    units = time_units(kind, *period, cut_labels)
    starts = np.array([np.datetime64(first, "s") for first, _ in units])
    days = events.frame["day"].to_numpy(dtype="datetime64[s]")
    at = np.searchsorted(starts, days, side="right") - 1
    labels = [label for _, label in units]
    return _one_each(labels, pd.Series(np.array(labels, dtype=object)[at]))


def class_split(
    view: ExtractView, params: RequestParameters, name: str, measure: Measure, events: Events
) -> Split:
    """By the crime's current class: the measure's classes in order, all shown, zeros too (a
    charge measure's: of the crime charged on); the classes present, sorted (a measure of every
    class)."""
    present = view.crime_values(events.frame["crime_row"].to_numpy(), "ho_class")
    classes = measure_classes(name, measure, params.class_groups)
    if not classes:
        classes = sorted(set(present.dropna()))
    own = params.class_titles  # read once: each read checks the profile file's time
    label_of = {code: ho_classes.class_label(code, own) for code in classes}
    return _one_each([label_of[code] for code in classes], present.map(label_of))


def outcome_split(view: ExtractView, params: RequestParameters, events: Events) -> Split:
    outcome = view.crime_values(events.frame["crime_row"].to_numpy(), "outcome")
    return _one_each(
        outcome_rows(params.outcome_groups), outcome_row(outcome, params.outcome_groups)
    )


def system_split(view: ExtractView, events: Events) -> Split:
    rows = events.frame["crime_row"].to_numpy()
    counted = view.crimes.iloc[np.unique(rows[rows >= 0])]
    first = first_system(counted, view.extract)
    return _one_each(
        systems_oldest_first(view.extract), events.frame["crime_id"].map(first).astype(object)
    )


def age_split(view: ExtractView, params: RequestParameters, role: str, events: Events) -> Split:
    """By the age band of the event's person in `role` on the day the offence was committed;
    for an event counting a crime, of every person in that role on it (none: Age not known)."""
    frame = events.frame.assign(event=np.arange(len(events.frame)))
    if events.role == role:
        pairs = frame[["event", "crime_id", "crime_row", "individual"]]
    else:
        pairs = frame[["event", "crime_id", "crime_row"]].merge(
            view.in_role(role, frame["crime_row"].to_numpy()), on="crime_id", how="left"
        )
    committed = view.crime_values(pairs["crime_row"].to_numpy(), "committed_at")
    committed = pd.Series(committed.to_numpy(), index=pairs.index).astype("datetime64[s]")
    person = pairs["individual"].fillna(-1).to_numpy(dtype=np.int64)  # -1: no one in the role
    born_of = view.born(person)  # absent where no one has a date of birth; NaT: none read
    born = pd.Series(born_of.reindex(person).to_numpy(), index=pairs.index)
    ages = age_on(born, day_of(committed))
    bands = params.age_bands
    labels = [age_band(age, bands) for age in ages.tolist()]
    out = pd.DataFrame({"event": pairs["event"].to_numpy(), "label": labels}, dtype=object)
    unread = born_of.index[born_of.isna().to_numpy()]
    return Split(
        [band.label for band in bands] + [AGE_NOT_KNOWN],
        out,
        int(len(np.intersect1d(unread.to_numpy(dtype=np.int64), person))),
    )


def charge_group_split(params: RequestParameters, measure: Measure, events: Events) -> Split:
    """By the charge group whose codes hold the charge's code (a code in two groups: both)."""
    groups = params.charge_groups or {}
    parts, labels = [], []
    for name in measure.charge_codes:
        group = groups[name]
        hit = np.flatnonzero(events.frame["cjs_code"].isin(group.codes).to_numpy(dtype=bool))
        parts.append(pd.DataFrame({"event": hit, "label": group.label}))
        labels.append(group.label)
    return Split(labels, pd.concat(parts, ignore_index=True))


def search_split(
    params: RequestParameters, search: str, events: Events, searches: Searches
) -> Split:
    """By whether the search counts the event's crime: its found label, or its not-found."""
    spec = params.searches[search]
    found = searches.counted(search, events.frame["crime_id"])
    labels = np.where(found, spec.found_label, spec.not_found_label).astype(object)
    return _one_each([spec.found_label, spec.not_found_label], pd.Series(labels))


def split(
    view: ExtractView,
    params: RequestParameters,
    table: TableRequest,
    breakdown: str | None,
    events: Events,
    period: tuple[date, date],
    heading: str,
    searches: Searches,
) -> Split:
    """A breakdown's Split; no breakdown: every event under `heading`."""
    name = table.counted
    measure = params.measures[name]
    if breakdown is None:
        return _one_each([heading], pd.Series([heading] * len(events.frame), dtype=object))
    if breakdown in TIME_BREAKDOWNS:
        return time_split(breakdown, events, period, table.cut_labels)
    if breakdown == "offence_class":
        return class_split(view, params, name, measure, events)
    if breakdown == "outcome_group":
        return outcome_split(view, params, events)
    if breakdown == "system":
        return system_split(view, events)
    if breakdown in AGE_BREAKDOWNS:
        return age_split(view, params, breakdown.removesuffix("_age"), events)
    if breakdown == "search":
        assert table.search is not None  # the schema asks for it
        return search_split(params, table.search, events, searches)
    return charge_group_split(params, measure, events)


def adds_up(breakdown: str | None, measure: Measure, params: RequestParameters) -> bool:
    """Whether a Total across this breakdown's parts is their sum: each unit is in one part at
    most (a crime or a charge split by a one-valued breakdown, or by charge groups with no code
    in common); a person can be in two, and a crime in two age bands."""
    if breakdown is None:
        return True
    if measure.count in PEOPLE_COUNTS:
        return False
    if breakdown in ONE_VALUED:
        return True
    if breakdown == "charge_group":
        groups = params.charge_groups or {}
        codes_ = [code for name in measure.charge_codes for code in groups[name].codes]
        return len(codes_) == len(set(codes_))
    return False


# ---- the table


def cell_units_of(
    units: pd.Series, rows: Split, columns: Split, total_row: bool, total_column: bool
) -> CellUnits:
    """Every cell's units: a cell's the distinct units with an event in it, a Total's those of
    its cells."""
    pairs = rows.pairs.merge(columns.pairs, on="event", suffixes=("_row", "_column"))
    # as Python objects: a set is made of Python strings (an Arrow column gives them one by one)
    unit_of = units.to_numpy(dtype=object)[pairs["event"].to_numpy(dtype=np.int64)]
    row_of = pairs["label_row"].to_numpy(dtype=object)
    column_of = pairs["label_column"].to_numpy(dtype=object)
    in_cell: dict[tuple[str, str], set[str]] = {}
    for row, column, unit in zip(row_of, column_of, unit_of, strict=True):
        in_cell.setdefault((row, column), set()).add(unit)
    found = {cell: frozenset(units_) for cell, units_ in in_cell.items()}
    empty: frozenset[str] = frozenset()
    cells: CellUnits = {
        (r, c): found.get((r, c), empty) for r in rows.labels for c in columns.labels
    }
    if total_column:
        for r in rows.labels:
            cells[(r, TOTAL)] = frozenset().union(*(cells[(r, c)] for c in columns.labels))
    if total_row:
        for c in columns.labels:
            cells[(TOTAL, c)] = frozenset().union(*(cells[(r, c)] for r in rows.labels))
        if total_column:
            cells[(TOTAL, TOTAL)] = frozenset().union(*(cells[(TOTAL, c)] for c in columns.labels))
    return cells


def counts_of(cells: CellUnits, rows: list[str], columns: list[str], corner: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        [[len(cells[(r, c)]) for c in columns] for r in rows],
        index=pd.Index(rows, name=corner),
        columns=pd.Index(columns),
        dtype=np.int64,
    )
    return frame


def method_notes(params: RequestParameters, table: TableRequest, measure: Measure) -> list[str]:
    """The rules a reader needs to read the table: what is counted, by which date, and where a
    Total is not the sum of its parts."""
    notes = []
    several = len(params.sources) > 1
    moved = any(source.legacy_system for source in params.sources)  # a system took crimes over
    if measure.by_date == "recorded":
        notes.append(
            "Crimes are counted by the day they were first recorded (UK time)"
            + (
                "; a crime moved from one system to another is counted by the day it was first "
                "recorded on either."
                if moved
                else "."
            )
        )
    elif measure.by_date == "committed":
        notes.append(
            "Crimes are counted by the day the offence was committed; a crime with no committed "
            "date recorded is not counted."
        )
    elif measure.count in PEOPLE_COUNTS:
        notes.append("People are counted by the date they were charged.")
    else:
        notes.append("Charges are counted by the date of the charge, each charge once.")
    counted = "charges on crimes" if measure.counts_charges else "crimes"
    if measure.by_status == "cancelled":
        notes.append(f"Only {counted} since cancelled are counted.")
    elif measure.status == "all":  # a charge measure's default: a charge laid, however its crime
        notes.append(f"{counted.capitalize()} since cancelled are counted too.")
    elif measure.status == "live" and measure.counts_charges:
        notes.append("Charges on crimes since cancelled are not counted.")
    # the Total row under the request's own label, where it gives one
    a_total, the_total = (
        ("a Total", "the Total")
        if table.total_label is None
        else (f"\u201c{table.total_label}\u201d",) * 2
    )
    if measure.count in PEOPLE_COUNTS:
        notes.append(
            "People are counted once however many records the "
            f"{'systems hold' if several else 'system holds'} for them; a person "
            f"is counted once in {a_total} even when they are in more than one of its parts."
        )
    unit = "charge" if measure.counts_charges else "crime"
    its = "its crime\u2019s" if measure.counts_charges else "its"
    found = measure_search(table.counted, measure, params.searches)
    if found is not None:
        notes += search_notes(f"A {unit} is counted when {its} circumstances mention", found[1])
    if table.search is not None:
        spec = params.searches[table.search]
        under = f"A {unit} is under \u201c{spec.found_label}\u201d"
        notes += search_notes(f"{under} when {its} circumstances mention", spec)
    if table.of_whom is not None:
        label, total = table.of_whom.label, table.total_label or TOTAL
        whose = "whose crime\u2019s" if measure.counts_charges else "whose"
        rule = (
            f"The row \u201c{label}\u201d counts those of \u201c{total}\u201d with a {unit} "
            f"{whose} circumstances mention"
        )
        notes += search_notes(rule, params.searches[table.of_whom.search])
    ages = [b for b in table.breakdowns if b in AGE_BREAKDOWNS]
    crimes_counted = measure.count in ("offences", "mentions")  # a crime may have no one in a role
    if ages:
        by_committed = measure.by_date == "committed"
        roles = " or ".join(b.removesuffix("_age") for b in ages)
        notes.append(
            "Ages are in whole years on the day the offence was committed; \u201cAge not "
            # a count by committed date has a committed date for every crime it counts
            f"known\u201d where no date of birth {'' if by_committed else 'or committed date '}"
            "is recorded (or one could not be read)"
            + (f", or no {roles} is recorded on the crime." if crimes_counted else ".")
        )
        if crimes_counted:
            notes.append(
                "An offence with people in more than one age band is counted in each, and once "
                f"in {the_total}."
            )
    if "charge_group" in table.breakdowns and not adds_up("charge_group", measure, params):
        notes.append(
            "A person charged under more than one group is counted in each."
            if measure.count in PEOPLE_COUNTS  # and once in a Total: said of people above
            else f"A charge under more than one group is counted in each, once in {the_total}."
        )
    return notes


def terms_words(search: Search) -> str:
    """A search's terms as a sentence says them: “dog”, or any of “dog”, “cat” or “parrot”."""
    quoted = [f"\u201c{term}\u201d" for term in search.terms]
    return quoted[0] if len(quoted) == 1 else f"any of {listed(quoted, last='or')}"


def search_notes(rule: str, search: Search) -> list[str]:
    """How a search decides (`rule`: what it decides, up to "mention", which its terms follow),
    and the phrases it leaves out."""
    notes = [
        f"{rule} {terms_words(search)}; the search allows for capital letters, hyphens, "
        "plurals, British and American spellings and small typing errors, and does not count a "
        "mention that is negated (one that says the thing was not there)."
    ]
    if search.exclude_terms:
        phrases = [f"\u201c{phrase}\u201d" for phrase in search.exclude_terms]
        notes.append(f"A mention inside {listed(phrases, last='or')} is not counted.")
    return notes


def drawn(params: RequestParameters, table: TableRequest) -> bool:
    """Whether the briefing draws the table: its `chart`, or by default when it is by time and no
    table before it of the same measure by the same time is drawn (a chart draws the totals over
    time, which would be the same bars again)."""
    if table.chart is not None or not table.charted:
        return table.charted
    times = {b for b in table.breakdowns if b in TIME_BREAKDOWNS}
    for earlier in params.tables:
        if earlier is table:
            return True
        same = earlier.measure == table.measure and times & set(earlier.breakdowns)
        if same and drawn(params, earlier):
            return False
    return True


def answer_facts(
    params: RequestParameters, table: TableRequest, measure: Measure, period: tuple[date, date]
) -> AnswerFacts:
    relative = relative_period_words(measure, params.as_of_date)
    return AnswerFacts(
        name=table.name,
        title=table.title,
        question=table.question,
        measure=table.counted,
        measure_label=measure.label,
        count=measure.count,
        rows=table.rows,
        columns=table.columns,
        chart=drawn(params, table),
        notes=method_notes(params, table, measure),
        period_from=period[0],
        period_to=period[1],
        period_words=period_words(*period),
        relative_period=relative,
        as_of=params.as_of_date if relative is not None else None,
        date_basis=measure.by_date,
        total_label=table.total_label or TOTAL,
        of_whom=table.of_whom.label if table.of_whom is not None else None,
        found_label=params.searches[table.search].found_label if table.search else None,
        part_terms=part_terms(params, table),
    )


#: a sentence of the answer names at most so many of a search's terms; the method lists them all
TERMS_NAMED = 3


def part_terms(params: RequestParameters, table: TableRequest) -> str | None:
    """The terms of the search that makes a part of the table (its `of_whom` row, its `search`
    breakdown), in words: named when there are few, else pointed to in the method, which lists
    them; None for a table with no such part."""
    search = table.of_whom.search if table.of_whom is not None else table.search
    if search is None:
        return None
    terms = params.searches[search].terms
    if len(terms) > TERMS_NAMED:
        return f"one of the {len(terms)} terms listed under \u201cHow we counted\u201d"
    return terms_words(params.searches[search])


def without_empty_rows(rows: Split, cells: CellUnits, columns: list[str]) -> Split:
    """The rows with something in a column (`hide_empty_rows`)."""
    kept = [row for row in rows.labels if any(cells[(row, column)] for column in columns)]
    return replace(rows, labels=kept, pairs=rows.pairs[rows.pairs["label"].isin(kept)])


def of_whom_units(
    table: TableRequest,
    events: Events,
    rows: Split,
    columns: Split,
    total_column: bool,
    searches: Searches,
) -> CellUnits:
    """The `of_whom` row's cells: in each column, the units of the Total's events (those with a
    row) on a crime the search counts."""
    assert table.of_whom is not None
    found = searches.counted(table.of_whom.search, events.frame["crime_id"])
    in_rows = np.zeros(len(found), dtype=bool)
    in_rows[rows.pairs["event"].to_numpy(dtype=np.int64)] = True
    chosen = columns.pairs[(found & in_rows)[columns.pairs["event"].to_numpy(dtype=np.int64)]]
    units = events.frame["unit"].to_numpy()
    label = table.of_whom.label
    cells: CellUnits = {}
    for column in columns.labels:
        events_in = chosen.loc[chosen["label"] == column, "event"].to_numpy(dtype=np.int64)
        cells[(label, column)] = frozenset(units[events_in])
    if total_column:
        cells[(label, TOTAL)] = frozenset().union(*(cells[(label, c)] for c in columns.labels))
    return cells


def relabelled_total(cells: CellUnits, label: str) -> CellUnits:
    """The cells with the Total row under the request's own label."""
    return {
        (label if row == TOTAL else row, column): units for (row, column), units in cells.items()
    }


def total_links(
    table: TableRequest, parts: list[str], columns: list[str], rows_add_up: bool
) -> list[Link]:
    """How a Total row under a label of its own relates to its parts in each column (the
    audit's Total rule knows only the label Total): their sum, or their union."""
    assert table.total_label is not None
    links: list[Link] = []
    for column in columns:
        total = (table.name, table.total_label, column)
        cells = [(table.name, row, column) for row in parts]
        if not cells:  # every row hidden: the Total is a count of its own
            continue
        if len(cells) == 1:
            links.append(Link.equal(cells[0], total))
        elif rows_add_up:
            links.append(Link.sum(total, cells))
        else:
            links.append(Link.union(total, cells))
    return links


def classes_held(extract: Extract) -> frozenset[str]:
    """The classes some crime of the extract is classified as now, whatever its date."""
    return frozenset(extract.crimes["ho_class"].dropna().astype(str).unique())


def unheld_by_entry(
    params: RequestParameters, name: str, held: Collection[str]
) -> dict[str, list[str]]:
    """Each entry of a measure's classes (a class group, or a class) with its classes that no
    crime is classified as now (`held`: the classes crimes have), but a Home Office group pasted
    whole some of whose classes have crimes (no force records every class of a group). The run's
    warning and the briefing's note both say these."""
    found = {}
    for entry, classes in class_code_groups(
        name, params.measures[name], params.class_groups
    ).items():
        missing = [code for code in classes if code not in held]
        whole = entry in params.class_groups and ho_classes.whole_group(classes) is not None
        if missing and not (whole and len(missing) < len(classes)):
            found[entry] = missing
    return found


def unheld_classes(view: ExtractView, params: RequestParameters, name: str) -> list[str]:
    """A measure's classes that no crime of the extract is classified as now, in any year, as
    the run warns of them (`unheld_by_entry`), each once."""
    entries = unheld_by_entry(params, name, view.classes_held).values()
    return list(dict.fromkeys(code for missing in entries for code in missing))


def unheld_classes_sentence(params: RequestParameters, unheld: list[str]) -> str:
    """Why a 0 of classes no crime has is not a finding of none: the force may record such
    offences under another class."""
    named = (
        named_classes(unheld, params.class_titles, "or")
        if len(unheld) <= MANY_CLASSES  # more by code alone, as the method names them
        else f"{', '.join(unheld[:UNHELD_NAMED])} or {len(unheld) - UNHELD_NAMED:,} more classes"
    )
    return (
        f"No crime in our records, of any year, is classified as {named}: we may record such "
        "offences under another class, so a count of none here does not mean that none happened."
    )


#: of more classes than a method names by title, those named by code before "or N more"
UNHELD_NAMED = 10


def answer_table(
    view: ExtractView,
    params: RequestParameters,
    table: TableRequest,
    events_of: dict[str, Events],
    searches: Searches,
) -> AnswerTable:
    """One table of the answer, counted."""
    if table.review is not None:
        return review_table(view, params, table, searches)
    name = table.counted
    measure = params.measures[name]
    period = resolve_period(measure.period, params.as_of_date)
    if name not in events_of:
        events_of[name] = measure_events(view, params, name, period, searches)
    events = events_of[name]
    heading = table.heading or COUNT_HEADINGS[measure.count]
    rows = split(view, params, table, table.rows, events, period, TOTAL, searches)
    columns = split(view, params, table, table.columns, events, period, heading, searches)
    total_row, total_column = table.rows is not None, table.columns is not None
    cells = cell_units_of(events.frame["unit"], rows, columns, total_row, total_column)
    if table.hide_empty_rows:
        rows = without_empty_rows(rows, cells, columns.labels)
        cells = {(r, c): units for (r, c), units in cells.items() if r in rows.labels or r == TOTAL}
    row_labels = rows.labels + ([TOTAL] if total_row else [])
    column_labels = columns.labels + ([TOTAL] if total_column else [])
    rows_add_up = adds_up(table.rows, measure, params)
    whole = table.total_label or TOTAL
    if table.total_label is not None:
        cells = relabelled_total(cells, whole)
        row_labels = rows.labels + [whole]
    beside: tuple[str, ...] = ()
    if table.of_whom is not None:
        cells.update(of_whom_units(table, events, rows, columns, total_column, searches))
        beside = (table.of_whom.label,)
        row_labels.append(table.of_whom.label)
    check_row_labels(params, table, row_labels)  # before the links name them
    links = []
    if table.total_label is not None:
        links += total_links(table, rows.labels, column_labels, rows_add_up)
    if table.of_whom is not None:
        links += [
            Link.subset((table.name, table.of_whom.label, c), (table.name, whole, c))
            for c in column_labels
        ]
    corner = table.corner or default_corner(table, measure, column_labels)
    check_corner(params, table, corner, column_labels)
    facts = answer_facts(params, table, measure, period)
    unheld = unheld_classes(view, params, name)
    if unheld:
        said = unheld_classes_sentence(params, unheld)
        facts.notes.append(said)
        if len(unheld) == len(measure_classes(name, measure, params.class_groups)):
            facts = replace(facts, caveat=said)  # the whole figure counts none of them
    reviews = table_reviews(table, events, searches)
    facts.notes.extend(review_note(reviewed) for reviewed in reviews)
    return AnswerTable(
        name=table.name,
        title=table.title,
        question=table.question,
        measure=name,
        counts=counts_of(cells, row_labels, column_labels, corner),
        units=cells,
        rows_add_up=rows_add_up,
        columns_add_up=adds_up(table.columns, measure, params),
        notes=facts.notes,
        facts=facts,
        links=links,
        subset_rows=beside,
        undated=events.undated,
        on_cancelled=events.on_cancelled,
        unread_births=rows.unread_births + columns.unread_births,
        reviews=reviews,
        events=events,
    )


def review_table(
    view: ExtractView, params: RequestParameters, table: TableRequest, searches: Searches
) -> AnswerTable:
    """A table of a search's review (`review: NAME`): the crimes it searched, those with a
    mention to review, those a reviewer decided, those where the decision changed the search's
    call, and (only when there are any) those whose texts were too long to search whole; each
    row a part of the row above, as the audit is told."""
    assert table.review is not None
    name = table.review
    reviewed = searches.review(name, request_searches(params.measures, params.searches)[name])
    outcome = reviewed.outcome
    # the crimes of each row, by their rows in the extract's crimes (the searched ones known)
    found = lambda ids: view.crime_rows(pd.Series(ids, dtype=object))  # noqa: E731
    rows = {
        SEARCHED_ROW: reviewed.searched_rows,
        CANDIDATES_ROW: found(reviewed.candidates["reference"].tolist()),
        REVIEWED_ROW: found(sorted(outcome.decided)),
        OVERTURNED_ROW: found(sorted(outcome.changed)),
    }
    if reviewed.in_part:  # a row of 0 is not shown, as in the first request's table
        rows[searched_in_part_row()] = found(reviewed.in_part)
    heading = table.heading or COUNT_HEADINGS["mentions"]
    cells: CellUnits = {
        (row, heading): frozenset(crime_units(view.crimes.iloc[at[at >= 0]]).tolist())
        for row, at in rows.items()
    }
    cell = lambda row: (table.name, row, heading)  # noqa: E731
    links = [
        Link.subset(cell(CANDIDATES_ROW), cell(SEARCHED_ROW)),
        Link.subset(cell(REVIEWED_ROW), cell(CANDIDATES_ROW)),
        Link.subset(cell(OVERTURNED_ROW), cell(REVIEWED_ROW)),
    ]
    if reviewed.in_part:
        links.append(Link.subset(cell(searched_in_part_row()), cell(SEARCHED_ROW)))
    corner = table.corner or REVIEW_CORNER
    check_corner(params, table, corner, [heading])
    facts = review_facts(params, table, reviewed)
    return AnswerTable(
        name=table.name,
        title=table.title,
        question=table.question,
        measure=name,
        counts=counts_of(cells, list(rows), [heading], corner),
        units=cells,
        rows_add_up=True,
        columns_add_up=True,
        notes=facts.notes,
        facts=facts,
        links=links,
        reviews=[reviewed],
    )


def searched_words(params: RequestParameters, name: str) -> str:
    """The crimes a search reads for the measure `name`, by the measure's bounds (not its label,
    which may say what the search decides): "every crime of class 058/01 recorded from ... and
    not cancelled", "every crime with a charge under “Damage” or the offence code X from ...,
    of class 058/01"."""
    measure = params.measures[name]
    period = period_words(*resolve_period(measure.period, params.as_of_date))
    classes = measure_classes(name, measure, params.class_groups)
    plural = "es" if len(classes) > 1 else ""
    of = f"of class{plural} {listed(classes, last='or')}" if classes else "of any class"
    if measure.counts_charges:
        groups = params.charge_groups or {}
        named = [f"\u201c{groups[e].label}\u201d" for e in measure.charge_codes if e in groups]
        codes = [e for e in measure.charge_codes if e not in groups]
        if codes:
            named.append(f"the offence code{'s' if len(codes) > 1 else ''} {listed(codes, 'or')}")
        under = f" under {listed(named, last='or')}" if named else ""
        where = f", {of}" if classes else ""
        since = {"cancelled": " and since cancelled", "live": " and not cancelled"}.get(
            measure.by_status, ""
        )
        return f"every crime with a charge{under} {period}{where}{since}"
    status = {"live": " and not cancelled", "cancelled": " and cancelled"}
    return f"every crime {of} {measure.by_date} {period}{status.get(measure.by_status, '')}"


def read_apart(params: RequestParameters, names: Sequence[str]) -> list[str]:
    """The measures of a search whose crimes are not all among another's of them (a crime
    measure of any class holds those of a measure of some classes, with the same status and date,
    in a period inside its own); of two that hold each other's, the first."""
    crime_measures = [n for n in names if not params.measures[n].counts_charges]
    selection = {name: CrimeSelection.of(params, name) for name in crime_measures}
    order = {name: i for i, name in enumerate(names)}

    def inside_another(name: str) -> bool:
        return any(
            selection[other].holds(selection[name])
            and (order[other] < order[name] or not selection[name].holds(selection[other]))
            for other in crime_measures
            if other != name
        )

    return [name for name in names if name not in selection or not inside_another(name)]


def review_facts(
    params: RequestParameters, table: TableRequest, reviewed: SearchReview
) -> AnswerFacts:
    """What the briefing says of a review table: its search's measures' days, and how the
    search and its review work."""
    periods = [
        resolve_period(params.measures[name].period, params.as_of_date)
        for name in reviewed.measures
    ]
    period = (min(p[0] for p in periods), max(p[1] for p in periods))
    read = list(
        dict.fromkeys(
            searched_words(params, name) for name in read_apart(params, reviewed.measures)
        )
    )
    spec = request_searches(params.measures, params.searches)[reviewed.search]
    every = (
        f", and of every crime not cancelled recorded {period_words(*period)}, whatever its class"
        if spec.scope == "all_crimes"
        else ""
    )
    notes = [
        f"The search read the circumstances of {'; and of '.join(read)}{every}. A crime with a"
        " mention of a term, even a negated one, is a candidate for a person to read; a"
        " reviewer\u2019s decision counts a candidate in or out whatever the search called it.",
        review_note(reviewed),
    ]
    return AnswerFacts(
        name=table.name,
        title=table.title,
        question=table.question,
        measure=reviewed.search,
        measure_label="crimes whose circumstances were searched",
        count="review",
        rows=None,
        columns=None,
        chart=False,
        notes=notes,
        period_from=period[0],
        period_to=period[1],
        period_words=period_words(*period),
        relative_period=None,
        as_of=None,
        date_basis="recorded",
        total_label=SEARCHED_ROW,
    )


def table_reviews(table: TableRequest, events: Events, searches: Searches) -> list[SearchReview]:
    """The reviews of the searches a table reads: its measure's, and those it splits by."""
    found = [events.review] if events.review is not None else []
    for name in table_searches(table):
        found.append(searches.review(name, searches.params.searches[name]))
    return found


def table_key(params: RequestParameters, table: TableRequest) -> str:
    """A table's key as `check` names it: `tables.0` for the first."""
    index = next(i for i, given in enumerate(params.tables) if given is table)
    return f"parameters: tables.{index}"


def check_row_labels(params: RequestParameters, table: TableRequest, labels: list[str]) -> None:
    """A table's rows are distinct: a label the request gives (a Total's, an `of_whom` row's)
    may not be one the data gives a row (an offence class's title, a group's label)."""
    for label in labels:
        if labels.count(label) > 1:
            raise ParameterError(
                f"{table_key(params, table)}: two of its rows are labelled {label!r}: give "
                "total_label or of_whom.label another"
            )


def default_corner(table: TableRequest, measure, columns: Sequence[str]) -> str:
    """The first column's heading where the request gives none: the rows' breakdown (`Year`),
    or, for a table without rows, what it counts (a CSV column has a name, as the spreadsheet
    standard asks, even over a lone Total): the measure's label, or `Count` where a column is
    headed the same (a label of "offences")."""
    if table.rows is not None:
        return BREAKDOWN_LABELS[table.rows]
    label = measure.label[:1].upper() + measure.label[1:]
    return "Count" if label.casefold() in {str(c).casefold() for c in columns} else label


def check_corner(
    params: RequestParameters, table: TableRequest, corner: str, columns: list[str]
) -> None:
    """The first column's heading is not another column's (a CSV's headings are distinct, and
    a spreadsheet's whatever their letter case)."""
    if corner.casefold() in {str(column).casefold() for column in columns}:
        raise ParameterError(
            f"{table_key(params, table)}.corner: {corner!r} is the heading of a column too: "
            "give another"
        )


def answer_tables(params: RequestParameters, extract: Extract) -> list[AnswerTable]:
    """Every table of `params.tables`, counted (a measure's events once for all its tables, a
    search once for all its measures), each told how its cells meet the tables' before it."""
    view = ExtractView(extract)
    events_of: dict[str, Events] = {}
    searches = Searches(view, params)
    answers = [answer_table(view, params, table, events_of, searches) for table in params.tables]
    for i, (answer, table) in enumerate(zip(answers, params.tables, strict=True)):
        for before, earlier in zip(answers[:i], params.tables[:i], strict=True):
            if table.measure is not None and table.measure == earlier.measure:
                units = {**before.cell_units(), **answer.cell_units()}
                found = same_measure_links(params, (answer, table), (before, earlier))
                answer.links += [link for link in found if holds(link, units)]
    return answers


# ---- how the tables of one measure meet (for the disclosure audit)


@dataclass
class Margins:
    """The cells of a table that each count every unit of its measure with one label of a
    breakdown (the Total column's cell of a row, the Total row's of a column), and the cell
    counting all of them (every event has a label of each breakdown of its table)."""

    whole: Cell
    by_label: dict[object, dict[str, Cell]]  # breakdown -> label -> cell (not time)
    spans: list[tuple[date, date, Cell]]  # the time breakdown's cells, each its days


def margins(
    answer: AnswerTable,
    table: TableRequest,
    period: tuple[date, date],
    searches: Mapping[str, Search],
) -> Margins:
    name, counts = answer.name, answer.counts
    whole_row = table.total_label or TOTAL
    whole_column = TOTAL if table.columns is not None else str(counts.columns[0])
    by_label: dict[object, dict[str, Cell]] = {}
    spans: list[tuple[date, date, Cell]] = []
    parts = [r for r in counts.index if r not in (whole_row, *answer.subset_rows)]
    for breakdown, labels, cell in (
        (table.rows, parts, lambda label: (name, label, whole_column)),
        (table.columns, [c for c in counts.columns if c != TOTAL], lambda c: (name, whole_row, c)),
    ):
        if breakdown is None:
            continue
        if breakdown in TIME_BREAKDOWNS:
            units = time_units(breakdown, *period, table.cut_labels)
            ends = [first - timedelta(days=1) for first, _ in units[1:]] + [period[1]]
            shown = set(labels)  # not the units `hide_empty_rows` left out
            spans = [
                (first, end, cell(label))
                for (first, label), end in zip(units, ends, strict=True)
                if label in shown
            ]
            continue
        key = (breakdown, table.search) if breakdown == "search" else breakdown
        by_label[key] = {str(label): cell(str(label)) for label in labels}
    if table.of_whom is not None:  # its whole figure is the search's found part of the measure
        found = by_label.setdefault(("search", table.of_whom.search), {})
        found[searches[table.of_whom.search].found_label] = (
            name,
            table.of_whom.label,
            whole_column,
        )
    return Margins((name, whole_row, whole_column), by_label, spans)


def holds(link: Link, units: dict[Cell, frozenset[str]]) -> bool:
    """Whether the cells' units bear the link out (a unit with no label of a breakdown, such as
    a charge on a crime the extract does not hold by class, is in one table's whole and not in
    the other's): the audit is told only what is so."""
    if any(cell not in units for cell in link.cells):
        return False
    target, parts = units[link.target], [units[cell] for cell in link.parts]
    if link.kind == "equal":
        return parts[0] == target
    together = frozenset().union(*parts)
    if link.kind == "sum":
        return together == target and sum(len(p) for p in parts) == len(target)
    if link.kind == "union":
        return together == target
    raise ValueError(f"not a link between tables of one measure: {link.kind!r}")


def same_measure_links(
    params: RequestParameters,
    later: tuple[AnswerTable, TableRequest],
    earlier: tuple[AnswerTable, TableRequest],
) -> list[Link]:
    """What an attacker knows of two tables of one measure: their wholes are one figure, a
    label of a breakdown both have is one figure in each, and a time unit of one is the sum (of
    people, the union) of the other's units within it (a year, its months)."""
    measure = params.measures[later[1].counted]
    period = resolve_period(measure.period, params.as_of_date)
    mine = margins(*later, period, params.searches)
    theirs = margins(*earlier, period, params.searches)
    links = [Link.equal(mine.whole, theirs.whole)]
    for key, cells in mine.by_label.items():
        for label, cell in cells.items():
            if label in theirs.by_label.get(key, {}):
                links.append(Link.equal(cell, theirs.by_label[key][label]))
    additive = measure.count not in PEOPLE_COUNTS
    for coarse, fine in ((mine.spans, theirs.spans), (theirs.spans, mine.spans)):
        for first, last, cell in coarse:
            # the units inside it that the table shows (`holds` then says whether they are all)
            inside = [(f, e, c) for f, e, c in fine if first <= f and e <= last]
            if not inside:
                continue
            if len(inside) == 1:
                if coarse is mine.spans or (inside[0][0], inside[0][1]) != (first, last):
                    links.append(Link.equal(cell, inside[0][2]))
            elif additive:
                links.append(Link.sum(cell, [c for _, _, c in inside]))
            else:
                links.append(Link.union(cell, [c for _, _, c in inside]))
    return links
