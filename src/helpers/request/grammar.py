"""The request grammar (issue 21): measures, breakdowns and tables a parameters file may declare.

A request's questions are answered by `tables:`, each counting one of the request's `measures`
(offences, victims, suspects, people charged, charges or crimes mentioning terms) in a period,
broken down by up to two breakdowns. This module is the schema of those keys and the rules that
tie them together (a table's measure exists, a measure's groups exist, a period ends before the
extracts were taken, ...), each a small function raising one line naming the key; the counting
is `helpers.request.measures`. Standard library and pydantic only: it is read before any data
library loads.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from helpers.extracts.ho_classes import normalise_ho_class_code
from helpers.yaml_input import shown_key

#: control characters (but tab and line ends) and the characters that turn the direction of the
#: text around them (an override reverses the words a reader sees): never in a text to publish
_CONTROL = re.compile(
    "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2060\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)


def _no_nul(text: str) -> str:
    """A text holds no NUL character: YAML writes one (`"\\0"`), and a page with one in it is a
    binary file, which the release gate cannot read; nor any other control character, nor one
    that turns the text's direction."""
    if "\0" in text:
        raise ValueError("a NUL character (\\0) is not text: remove it")
    if found := _CONTROL.search(text):
        raise ValueError(
            f"a control character (U+{ord(found.group()):04X}) is not text to publish: remove it"
        )
    return text


#: a text the release shows (a title, a question, a label, a search term)
Text = Annotated[str, AfterValidator(_no_nul)]

#: a label a figure would be read as: a number, or a withheld figure's mark (`<5`, `[c]`)
_FIGURE_LIKE = re.compile(r"[\d.,\s]+|<\s*\d+|\[\s*c\s*\]", re.IGNORECASE)
LABEL_LENGTH = 200
#: the characters a label may not hold, by category: format characters (joiners, soft hyphens,
#: invisible operators), private-use and unassigned ones, line and paragraph separators
_UNSEEN = ("Cf", "Co", "Cn", "Zl", "Zp")
#: letters that show as nothing (Hangul fillers)
_FILLERS = "\u115f\u1160\u3164\uffa0"


def _label(text: str) -> str:
    """A row's or column's label the request gives: one line of at most 200 characters that a
    reader sees, and that reads neither as the table's own Total nor as a figure."""
    if "\n" in text or "\r" in text or "\t" in text:
        raise ValueError("a label is one line: no line break or tab")
    if len(text) > LABEL_LENGTH:
        raise ValueError(f"a label is at most {LABEL_LENGTH} characters (got {len(text):,})")
    for char in text:
        if unicodedata.category(char) in _UNSEEN or char in _FILLERS:
            raise ValueError(
                f"a label holds a character a reader cannot see (U+{ord(char):04X}): remove it"
            )
    # as a reader sees it: marks that change no letter (a variation selector) left out
    seen = "".join(
        char
        for char in unicodedata.normalize("NFKC", text)
        if unicodedata.category(char) not in ("Mn", "Me")
    ).strip()
    if not seen:
        raise ValueError("a label has no visible text")
    if seen.casefold() == TOTAL_LABEL.casefold():
        raise ValueError("a label that reads as Total is the table's own row: give another")
    if _FIGURE_LIKE.fullmatch(seen):
        raise ValueError(
            f"a label that reads as a figure or a withheld mark ({text!r}): give words"
        )
    return text


#: a row's or column's label (`found_label`, `total_label`, `corner`, ...)
Label = Annotated[Text, AfterValidator(_label)]

#: a word, as the evidence search reads one (`analysis.search.terms.WORD_RE`): letters only
_SEARCHED_WORD = re.compile(r"[^\W\d_]")


def clean_terms(value: Iterable[str]) -> list[str]:
    """Search terms stripped; an empty one, or one with no letter (the search finds words), is
    an error."""
    terms = [str(term).strip() for term in value]
    if any(not term for term in terms):
        raise ValueError("a search term is empty")
    for term in terms:
        if not _SEARCHED_WORD.search(term):
            raise ValueError(f"a search term has no letters (the search finds words): {term!r}")
    return terms


#: search terms or excluded phrases, stripped (`clean_terms`)
Terms = Annotated[list[Text], AfterValidator(clean_terms)]


# ---- what may be counted, and how it may be broken down

Count = Literal["offences", "victims", "suspects", "people_charged", "charges", "mentions"]
CRIME_COUNTS = ("offences", "victims", "suspects", "mentions")
CHARGE_COUNTS = ("people_charged", "charges")
#: the column heading of a table with no columns breakdown
COUNT_HEADINGS = {
    "offences": "Offences",
    "victims": "Victims",
    "suspects": "Suspects",
    "people_charged": "People charged",
    "charges": "Charges",
    "mentions": "Crimes",
}
#: the counts whose units are people (a person in two cells is one person in their total)
PEOPLE_COUNTS = ("victims", "suspects", "people_charged")

Breakdown = Literal[
    "year",
    "financial_year",
    "quarter",
    "month",
    "offence_class",
    "outcome_group",
    "victim_age",
    "suspect_age",
    "system",
    "charge_group",
    "search",
]
TIME_BREAKDOWNS = ("year", "financial_year", "quarter", "month")
#: the breakdowns by a person's age on the day of the offence (their rows: the request's age_bands)
AGE_BREAKDOWNS = ("victim_age", "suspect_age")
#: each breakdown's corner label (the table's first column heading)
BREAKDOWN_LABELS = {
    "year": "Year",
    "financial_year": "Financial year",
    "quarter": "Quarter",
    "month": "Month",
    "offence_class": "Offence class",
    "outcome_group": "Outcome",
    "victim_age": "Age of the victim",
    "suspect_age": "Age of the suspect",
    "system": "System",
    "charge_group": "Offence charged",
    "search": "Circumstances",
}
_CRIME_SPLITS = (*TIME_BREAKDOWNS, "offence_class", "outcome_group", "system", "search")
#: the breakdowns each count allows
ALLOWED_BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "offences": (*_CRIME_SPLITS, *AGE_BREAKDOWNS),
    "victims": (*_CRIME_SPLITS, "victim_age"),
    "suspects": (*_CRIME_SPLITS, "suspect_age"),
    "mentions": (*_CRIME_SPLITS, *AGE_BREAKDOWNS),
    "people_charged": (*TIME_BREAKDOWNS, "offence_class", "charge_group", "search"),
    "charges": (*TIME_BREAKDOWNS, "offence_class", "charge_group", "search"),
}
#: the dates a count may count by (the first is its default)
ALLOWED_DATES: dict[str, tuple[str, ...]] = {
    **{count: ("recorded", "committed") for count in CRIME_COUNTS},
    **{count: ("charged",) for count in CHARGE_COUNTS},
}

#: the tables of the data's quality, in every release: a grammar table takes another name
DATA_QUALITY_TABLES = ("data_quality_files", "data_quality_merging")
#: the names of the tables of today's request shape (`request.translate.grammar_keys`): a grammar
#: table of a request with today's keys takes another (a request of tables alone may use them)
TODAYS_TABLES = ("people_charged", "offences_by_year", "outcomes_by_year", "evidence_review")
#: the measures and the search today's keys are read into (`request.translate`): a request with
#: today's keys gives its own other names
TODAYS_MEASURES = ("people_charged", "offences")
TODAYS_SEARCH = "hunter_group"
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}", re.ASCII)
MEASURE_NAME = re.compile(r"[A-Za-z0-9_]{1,40}", re.ASCII)
#: the rows a request-defined outcome grouping adds after its own
OTHER_OUTCOMES = "Other outcomes"
NO_OUTCOME = "Not yet assigned an outcome"
AGE_NOT_KNOWN = "Age not known"
TOTAL_LABEL = "Total"
#: the rows of a `search` breakdown, unless its search names its own
FOUND_LABEL = "Mentions the terms"
NOT_FOUND_LABEL = "Does not mention the terms"
#: Home Office outcome types
OUTCOME_TYPES = range(1, 23)


# ---- the keys


class ClassGroup(BaseModel):
    """A named group of Home Office classes: its label for the briefing, its classes."""

    model_config = ConfigDict(extra="forbid")

    label: Text = Field(min_length=1)
    classes: list[str] = Field(min_length=1)

    @field_validator("classes")
    @classmethod
    def _normalise(cls, value: list[str]) -> list[str]:
        return [normalise_ho_class_code(code) for code in value]


class AgeBand(BaseModel):
    """Whole years at the date of the offence, `from` and `to` inclusive (either open)."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)

    label: Label = Field(min_length=1)
    low: int | None = Field(default=None, alias="from", ge=0, le=150)
    high: int | None = Field(default=None, alias="to", ge=0, le=150)

    @model_validator(mode="after")
    def _in_order(self) -> AgeBand:
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError(f"to ({self.high}) is below from ({self.low})")
        return self


class Period(BaseModel):
    """The days a measure counts: `{from, to}`, `{from}` (to the request's `as_of`: "since
    1 April 2017"), `{last_years: N}`, `{last_months: N}` or `{year_to_date: true}` (the last
    three counted back from `as_of`)."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)

    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")
    last_years: int | None = Field(default=None, ge=1, le=100)
    last_months: int | None = Field(default=None, ge=1, le=1200)
    year_to_date: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Period:
        forms = [
            name
            for name, given in (
                ("from/to", self.start is not None or self.end is not None),
                ("last_years", self.last_years is not None),
                ("last_months", self.last_months is not None),
                ("year_to_date", self.year_to_date is not None),
            )
            if given
        ]
        if len(forms) != 1:
            raise ValueError(
                "give one of {from, to}, {last_years: N}, {last_months: N} or "
                f"{{year_to_date: true}} (got {', '.join(forms) or 'none'})"
            )
        if forms == ["from/to"]:
            if self.start is None:
                raise ValueError(
                    "a period needs from (with to, or alone for one up to the request's as_of)"
                )
            if self.end is not None and self.end < self.start:
                raise ValueError(f"to ({self.end}) is before from ({self.start})")
        return self


class Search(BaseModel):
    """A search of the circumstances text that several measures share (`searches:`): one
    search, one worklist, one review, whatever number of measures count its crimes."""

    model_config = ConfigDict(extra="forbid")

    terms: Terms = Field(min_length=1)
    exclude_terms: Terms = Field(default_factory=list)
    #: the review store's question its decisions are kept under (default: one of its own, made
    #: from its name and terms); a request that keeps an earlier review names that review's
    question: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]{1,60}$")
    #: the rows of a table broken down by the search (`rows: search`)
    found_label: Label = Field(default=FOUND_LABEL, min_length=1)
    not_found_label: Label = Field(default=NOT_FOUND_LABEL, min_length=1)
    #: the texts searched: its measures' crimes, or besides them every crime not cancelled
    #: recorded in their days (the first request's `search_scope: all_crimes`)
    scope: Literal["measures", "all_crimes"] = "measures"
    #: a review made elsewhere, as a decisions file (`evidence_decisions`'s form), read with the
    #: request's review store; and whether a second reviewer checks a sample of the decisions
    decisions_file: Text | None = Field(default=None, min_length=1)
    second_review: bool = False

    @field_validator("question")
    @classmethod
    def _not_made(cls, value: str | None) -> str | None:
        if value is not None and value.startswith("search_"):
            raise ValueError("a question made by the tool (search_...): name another")
        return value

    @model_validator(mode="after")
    def _two_labels(self) -> Search:
        # compared as a spreadsheet's column headings are: letter case aside
        if self.found_label.casefold() == self.not_found_label.casefold():
            raise ValueError("found_label and not_found_label are the same: give each its own")
        return self

    def review_question(self, name: str) -> str:
        """The question the review store keeps the search's decisions under: `question`, or the
        search's own (`search_<name>_<digest>`)."""
        return self.question or f"search_{name}_{self.digest}"

    @property
    def digest(self) -> str:
        """What the search looks for, in ten hex digits: its review's decisions are kept under
        it, so that a search whose terms change is reviewed afresh (letter case aside, as the
        search reads them)."""
        asked = [sorted(t.casefold() for t in self.terms)]
        asked.append(sorted(t.casefold() for t in self.exclude_terms))
        return hashlib.sha256(json.dumps(asked).encode("utf-8")).hexdigest()[:10]


class Measure(BaseModel):
    """What one table counts: the kind of count, its filters, its period and its date."""

    model_config = ConfigDict(extra="forbid")

    count: Count
    label: Text = Field(min_length=1)
    classes: list[str] = Field(default_factory=list)
    charge_codes: list[str] = Field(default_factory=list)
    period: Period
    date: Literal["recorded", "committed", "charged"] | None = None
    status: Literal["live", "cancelled", "all"] | None = None
    terms: Terms = Field(default_factory=list)
    exclude_terms: Terms = Field(default_factory=list)
    search: str | None = Field(default=None, min_length=1)

    @field_validator("charge_codes")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        # kept as typed: an entry may name a charge group ("attempt s15"); a code is compared
        # without its spaces (`charge_code_groups`)
        if any(not str(code).strip() for code in value):
            raise ValueError("a code is empty")
        return [str(code) for code in value]

    @model_validator(mode="after")
    def _fits_its_count(self) -> Measure:
        for problem in measure_problems(self):
            raise ValueError(problem)
        return self

    @property
    def own_search(self) -> Search | None:
        """The measure's own `terms` as a search (named after the measure), if it has them."""
        if not self.terms:
            return None
        return Search(terms=self.terms, exclude_terms=self.exclude_terms)

    @property
    def counts_charges(self) -> bool:
        return self.count in CHARGE_COUNTS

    @property
    def by_date(self) -> str:
        """The date the measure counts by (its default: recorded, or charged)."""
        return self.date or ALLOWED_DATES[self.count][0]

    @property
    def by_status(self) -> str:
        """The status of the crimes counted: a crime measure's, live unless it says; a charge
        measure's (of the crime charged on), all unless it says: a charge laid is counted
        whatever became of its crime since, as the first request counts people charged."""
        return self.status or ("all" if self.counts_charges else "live")


def measure_problems(measure: Measure) -> list[str]:
    """What a measure's own keys get wrong for its count (the first is reported)."""
    count, problems = measure.count, []
    if measure.date is not None and measure.date not in ALLOWED_DATES[count]:
        allowed = " or ".join(ALLOWED_DATES[count])
        problems.append(f"date: a count of {count} is by {allowed}, not {measure.date}")
    if count in CHARGE_COUNTS:
        if not measure.charge_codes and not measure.classes:
            problems.append(
                f"charge_codes: a count of {count} needs the codes it counts, or classes (every "
                "charge on a crime of them)"
            )
    elif measure.charge_codes:
        problems.append(f"charge_codes: a count of {count} counts crimes, not charges")
    if measure.search and (measure.terms or measure.exclude_terms):
        problems.append("search: give the measure terms or a search of `searches`, not both")
    if count == "mentions" and not (measure.terms or measure.search):
        problems.append(
            "terms: a count of mentions needs the terms searched for (or a search of `searches`)"
        )
    if measure.exclude_terms and not measure.terms:
        problems.append("exclude_terms: there are no terms to exclude phrases of")
    return problems


class OfWhom(BaseModel):
    """A row below a table's Total counting those of the Total the search counts ("of whom
    charged on a crime mentioning ...")."""

    model_config = ConfigDict(extra="forbid")

    search: str = Field(min_length=1)
    label: Label = Field(min_length=1)


class TableRequest(BaseModel):
    """One table of the answer: its file name, its question, its title, its measure, its
    breakdowns, and the words of its headings where the request gives its own."""

    model_config = ConfigDict(extra="forbid")

    name: str
    question: int = Field(ge=1)
    title: Text = Field(min_length=1)
    measure: str | None = Field(default=None, min_length=1)
    #: instead of a measure: a search of the request, whose table is its review's figures
    review: str | None = Field(default=None, min_length=1)
    rows: Breakdown | None = None
    columns: Breakdown | None = None
    chart: bool | None = None
    #: the search a `search` breakdown splits the measure's crimes by (a name in `searches`)
    search: str | None = Field(default=None, min_length=1)
    of_whom: OfWhom | None = None
    #: the first column's heading (default: the rows breakdown's name)
    corner: Label | None = Field(default=None, min_length=1)
    #: the one column's heading, for a table with no columns breakdown (default: the count's)
    heading: Label | None = Field(default=None, min_length=1)
    #: the Total row's label (default: Total)
    total_label: Label | None = Field(default=None, min_length=1)
    #: leave out the rows with nothing in any column (an outcome no crime has)
    hide_empty_rows: bool = False
    #: label a time unit the period cuts by where it is cut ("2016 (from 1 Dec 2016)"); false: by
    #: its name alone, as today's tables do, where the title or the method says the period
    cut_labels: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not TABLE_NAME.fullmatch(value):
            raise ValueError(
                "must be 1 to 40 lower-case letters, digits or underscores, starting with a letter"
            )
        if value in DATA_QUALITY_TABLES:
            raise ValueError(f"{value!r} is the name of a table every release has: give another")
        return value

    @model_validator(mode="after")
    def _two_breakdowns(self) -> TableRequest:
        if (self.measure is None) == (self.review is None):
            raise ValueError("give the table a measure, or a search to review (review: NAME)")
        if self.review is not None:
            keys = ("rows", "columns", "search", "of_whom", "total_label", "hide_empty_rows")
            for key in keys:
                if getattr(self, key):
                    raise ValueError(f"{key}: a table of a search's review has its own rows")
            if self.chart:
                raise ValueError("chart: a table of a search's review is not drawn")
        if self.rows is not None and self.rows == self.columns:
            raise ValueError(f"rows and columns are both {self.rows}: give one of them")
        if self.rows in TIME_BREAKDOWNS and self.columns in TIME_BREAKDOWNS:
            raise ValueError("rows and columns are both a time breakdown: give one of them")
        if "search" in self.breakdowns and self.search is None:
            raise ValueError("search: a table broken down by search names the search")
        if self.search is not None and "search" not in self.breakdowns:
            raise ValueError("search: only a table broken down by search (rows: search) names one")
        if not self.cut_labels and not set(self.breakdowns) & set(TIME_BREAKDOWNS):
            raise ValueError("cut_labels: only a table broken down by a time has time labels")
        if self.heading is not None and self.columns is not None:
            raise ValueError("heading: a table with a columns breakdown has a heading per column")
        if self.rows is None:
            if self.total_label is not None:
                raise ValueError("total_label: a table with no rows breakdown has no Total row")
            if self.hide_empty_rows:
                raise ValueError("hide_empty_rows: a table with no rows breakdown has one row")
        return self

    @property
    def breakdowns(self) -> tuple[str, ...]:
        return tuple(b for b in (self.rows, self.columns) if b is not None)

    @property
    def counted(self) -> str:
        """The measure the table counts (a table of a search's review has none)."""
        assert self.measure is not None, "a table of a search's review counts no measure"
        return self.measure

    @property
    def charted(self) -> bool:
        """Whether the briefing draws the table (default: when it is broken down by time)."""
        if self.chart is not None:
            return self.chart
        return any(b in TIME_BREAKDOWNS for b in self.breakdowns)


# ---- periods


def resolve_period(period: Period, as_of: date) -> tuple[date, date]:
    """The first and last day a period counts (inclusive)."""
    if period.start is not None:  # `{from}` alone: up to the reference date
        return period.start, period.end if period.end is not None else as_of
    if period.year_to_date:
        return date(as_of.year, 1, 1), as_of
    if period.last_years is not None:
        return date(as_of.year - period.last_years, 1, 1), date(as_of.year - 1, 12, 31)
    assert period.last_months is not None  # the schema allows one form only
    first_of_month = as_of.replace(day=1)
    months = as_of.year * 12 + (as_of.month - 1) - period.last_months
    return date(months // 12, months % 12 + 1, 1), first_of_month - timedelta(days=1)


# ---- the rules across keys (each raises one line naming its key)


def check_age_bands(bands: Sequence[AgeBand], in_a_table: bool = True) -> None:
    """Bands in order, each starting the year after the one before ends (contiguous, no
    overlap); only the first may leave out `from`, only the last `to`; labels distinct. Used by
    a table (`in_a_table`), from birth with no upper end: an age in no band would leave its
    people out of the table and its Total."""
    if in_a_table and bands and bands[0].low not in (None, 0):
        raise ValueError(
            f"age_bands.0: from {bands[0].low} leaves anyone younger out of every band: start "
            "the first band at 0, or leave out from"
        )
    if in_a_table and bands and bands[-1].high is not None:
        raise ValueError(
            f"age_bands.{len(bands) - 1}: to {bands[-1].high} leaves anyone older out of every "
            'band: leave out to in the last band ("18 and over")'
        )
    for i, band in enumerate(bands):
        where = f"age_bands.{i}"
        if band.low is None and i > 0:
            raise ValueError(f"{where}: from is missing (only the first band may leave it out)")
        if band.high is None and i < len(bands) - 1:
            raise ValueError(f"{where}: to is missing (only the last band may leave it out)")
        if i > 0:
            before = bands[i - 1].high
            assert before is not None and band.low is not None  # checked above
            if band.low != before + 1:
                raise ValueError(
                    f"{where}: from {band.low} does not follow the band before, which ends at "
                    f"{before} (bands are contiguous: from {before + 1})"
                )
    labels = [band.label for band in bands]
    for label in labels:
        if labels.count(label) > 1 or label in (AGE_NOT_KNOWN, TOTAL_LABEL):
            raise ValueError(f"age_bands: the label {label!r} is taken: give each band its own")


def check_outcome_groups(groups: Mapping[str, Sequence[int]]) -> None:
    """Outcome types 1-22, each in one group at most; labels not those of the rows the table
    adds itself."""
    seen: dict[int, str] = {}
    for label, outcomes in groups.items():
        where = f"outcome_groups.{shown_key(label)}"
        if label in (OTHER_OUTCOMES, NO_OUTCOME, TOTAL_LABEL) or not label.strip():
            raise ValueError(f"{where}: the label is a row the table adds itself: give another")
        if not outcomes:
            raise ValueError(f"{where}: lists no outcome")
        for outcome in outcomes:
            if outcome not in OUTCOME_TYPES:
                raise ValueError(f"{where}: {outcome!r} is not a Home Office outcome type (1-22)")
            if outcome in seen:
                raise ValueError(f"{where}: outcome {outcome} is in {seen[outcome]!r} too")
            seen[outcome] = label


def measure_classes(
    name: str, measure: Measure, class_groups: Mapping[str, ClassGroup]
) -> list[str]:
    """A measure's classes, its groups expanded, in the order given, each once."""
    entries = class_code_groups(name, measure, class_groups).values()
    return list(dict.fromkeys(code for codes in entries for code in codes))


def class_code_groups(
    name: str, measure: Measure, class_groups: Mapping[str, ClassGroup]
) -> dict[str, list[str]]:
    """A measure's classes by entry: a class group's name -> its classes, a class -> itself (in
    the one written form, `058/01`)."""
    entries: dict[str, list[str]] = {}
    for entry in measure.classes:
        if entry in class_groups:
            entries[entry] = list(class_groups[entry].classes)
            continue
        try:
            entries[entry] = [normalise_ho_class_code(entry)]
        except ValueError:
            raise ValueError(
                f"measures.{shown_key(name)}.classes: {entry!r} is neither a class such as "
                "058/01 nor a name in class_groups"
            ) from None
    return entries


def measure_search(
    name: str, measure: Measure, searches: Mapping[str, Search]
) -> tuple[str, Search] | None:
    """The search a measure's crimes are filtered by, and its name: one of `searches`, or the
    measure's own `terms` (a search named after the measure); None for a measure with neither."""
    if measure.search is not None:
        return measure.search, searches[measure.search]
    own = measure.own_search
    return (name, own) if own is not None else None


def request_searches(
    measures: Mapping[str, Measure], searches: Mapping[str, Search]
) -> dict[str, Search]:
    """Every search of a request, by the name a reviewer gives it: each of `searches`, and each
    measure's own `terms`, in the order the file gives them."""
    found = dict(searches)
    for name, measure in measures.items():
        if (own := measure.own_search) is not None:
            found[name] = own
    return found


def table_searches(table: TableRequest) -> list[str]:
    """The searches of `searches` a table reads besides its measure's: the one its `search`
    breakdown splits by, and its `of_whom` row's."""
    named = [table.search, table.of_whom.search if table.of_whom is not None else None]
    return list(dict.fromkeys(name for name in named if name is not None))


def check_searches(
    measures: Mapping[str, Measure],
    searches: Mapping[str, Search],
    tables: Sequence[TableRequest] = (),
) -> None:
    """A measure's search is one of `searches`; a search is named apart from every measure (the
    reviewer names either to review it), and keeps its decisions under a question of its own;
    a search no measure or table uses is a mistake."""
    for name in searches:
        if not TABLE_NAME.fullmatch(name):
            raise ValueError(
                f"searches.{shown_key(name)}: a search's name is 1 to 40 lower-case letters, "
                "digits or underscores, starting with a letter"
            )
        if name in measures:
            raise ValueError(
                f"searches.{name}: {name!r} is a measure's name too: give the search another "
                "(a reviewer names the search to review it)"
            )
    named: dict[str, str] = {}
    for name in request_searches(measures, searches):
        other = named.setdefault(name.casefold(), name)
        if other != name:
            where = f"measures.{shown_key(name)}" if name in measures else f"searches.{name}"
            raise ValueError(
                f"{where}: its search's name differs from the search {other!r} only in capitals "
                "(their worklists would be one file): give it another"
            )
    asked: dict[str, str] = {}
    for name, search in searches.items():
        other = asked.setdefault(search.review_question(name), name)
        if other != name:
            raise ValueError(
                f"searches.{name}.question: the search {other!r} keeps its decisions under "
                f"{search.review_question(name)!r} too: give each search its own"
            )
    used = {m.search for m in measures.values() if m.search is not None}
    used.update(name for table in tables for name in table_searches(table))
    for name, measure in measures.items():
        if measure.search is not None and measure.search not in searches:
            known = ", ".join(searches) or "none"
            raise ValueError(
                f"measures.{shown_key(name)}.search: {measure.search!r} is not a search "
                f"(searches: {known})"
            )
    for name in searches:
        if name not in used:
            raise ValueError(
                f"searches.{name}: no measure or table uses it (a measure names it: search: {name})"
            )


def charge_code_groups(
    name: str, measure: Measure, group_codes: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """A measure's charge codes by entry: a charge group's name -> its codes, a code -> itself
    (compared as the charges' codes are, without spaces, in capitals)."""
    return {
        entry: list(group_codes[entry])
        if entry in group_codes
        else [entry.replace(" ", "").upper()]
        for entry in measure.charge_codes
    }


def check_todays_names(
    tables: Sequence[TableRequest], measures: Mapping[str, Measure], searches: Mapping[str, Search]
) -> None:
    """A request with today's keys has today's tables, measures and search (its keys read into
    the grammar, `request.translate`): its own take other names, of either kind (a measure with
    its own terms is a search by its name), and keep their decisions under other questions."""
    for i, table in enumerate(tables):
        if table.name in TODAYS_TABLES:
            raise ValueError(
                f"tables.{i}.name: {table.name!r} is the name of one of today's tables, which "
                "this request has (its period_from, charge_groups, ...): give it another"
            )
    todays = {name: "measure" for name in TODAYS_MEASURES} | {TODAYS_SEARCH: "search"}
    for key, names in (("measures", measures), ("searches", searches)):
        for name in names:
            if name in todays:
                raise ValueError(
                    f"{key}.{name}: the name of today's request's own {todays[name]} (read from "
                    "its period_from, charge_groups, search_terms, ...): give yours another"
                )
    for name, search in searches.items():
        if search.question == TODAYS_SEARCH:
            raise ValueError(
                f"searches.{name}.question: the question today's hunter-group search keeps its "
                "decisions under: give yours another"
            )


def check_tables(
    tables: Sequence[TableRequest],
    measures: Mapping[str, Measure],
    questions: int,
    charge_groups: Iterable[str],
    searches: Mapping[str, Search] | None = None,
    has_age_bands: bool = True,
) -> None:
    """Each table: a measure that exists, a question of the request, breakdowns its count
    allows (an age breakdown only with the request's `age_bands`), searches of `searches` its
    measure is not already narrowed by; table names distinct."""
    names: set[str] = set()
    groups = set(charge_groups)
    for i, table in enumerate(tables):
        where = f"tables.{i}"
        if table.name in names:
            raise ValueError(f"{where}.name: {table.name!r} is another table's name too")
        names.add(table.name)
        if table.question > questions:
            raise ValueError(
                f"{where}.question: {table.question} is not a question of the request "
                f"(it has {questions})"
            )
        if table.review is not None:
            check_review_table(where, table.review, tables, measures, searches or {})
            continue
        if table.counted not in measures:
            known = ", ".join(measures) or "none"
            raise ValueError(
                f"{where}.measure: {table.measure!r} is not a measure (measures: {known})"
            )
        measure = measures[table.counted]
        check_table_searches(where, table, measure, searches or {})
        for key, breakdown in (("rows", table.rows), ("columns", table.columns)):
            if breakdown is None:
                continue
            if breakdown not in ALLOWED_BREAKDOWNS[measure.count]:
                raise ValueError(
                    f"{where}.{key}: a count of {measure.count} cannot be broken down by "
                    f"{breakdown}"
                )
            if breakdown in AGE_BREAKDOWNS and not has_age_bands:
                raise ValueError(
                    f"{where}.{key}: by {breakdown}, the request needs age_bands (its rows are "
                    "the bands)"
                )
            if breakdown == "charge_group" and not measure.charge_codes:
                raise ValueError(
                    f"{where}.{key}: by charge_group, measure {table.measure} names no charge "
                    "groups (it counts every charge on a crime of its classes)"
                )
            if breakdown == "charge_group":
                loose = [code for code in measure.charge_codes if code not in groups]
                if loose:
                    raise ValueError(
                        f"{where}.{key}: by charge_group, measure {table.measure}'s charge_codes "
                        f"must all be names in charge_groups ({loose[0]!r} is not)"
                    )


def search_users(
    search: str,
    tables: Sequence[TableRequest],
    measures: Mapping[str, Measure],
    searches: Mapping[str, Search],
) -> list[str]:
    """The measures of the tables that count the search's crimes (it narrows them), or split
    them by it (`rows: search`, `of_whom`), in the order of the tables: its scope's."""
    users = []
    for table in tables:
        if table.measure is None or table.measure not in measures:
            continue
        found = measure_search(table.measure, measures[table.measure], searches)
        if (found is not None and found[0] == search) or search in table_searches(table):
            users.append(table.measure)
    return list(dict.fromkeys(users))


def check_review_table(
    where: str,
    review: str,
    tables: Sequence[TableRequest],
    measures: Mapping[str, Measure],
    searches: Mapping[str, Search],
) -> None:
    """A review table's search is one of the request's, and a table counts its crimes (else it
    searched nothing)."""
    known = request_searches(measures, searches)
    if review not in known:
        raise ValueError(
            f"{where}.review: {review!r} is not a search (a name in searches, or a measure with "
            f"its own terms); searches: {', '.join(known) or 'none'}"
        )
    if not search_users(review, tables, measures, searches):
        raise ValueError(
            f"{where}.review: no table counts the crimes of {review!r}, so it searches nothing"
        )


def check_table_searches(
    where: str, table: TableRequest, measure: Measure, searches: Mapping[str, Search]
) -> None:
    """A table's `search` and `of_whom` name searches of `searches`, other than its measure's
    own (a measure counting only what a search counts has nothing on the other side of it)."""
    keys = [("search", table.search)]
    if table.of_whom is not None:
        keys.append(("of_whom.search", table.of_whom.search))
    for key, name in keys:
        if name is None:
            continue
        if name not in searches:
            known = ", ".join(searches) or "none"
            raise ValueError(f"{where}.{key}: {name!r} is not a search (searches: {known})")
        if measure.search == name:
            raise ValueError(
                f"{where}.{key}: measure {table.measure} counts only what {name!r} counts "
                "already: give the table a measure without the search"
            )
    labels = [table.total_label or TOTAL_LABEL]
    if table.rows == "search" and table.search is not None:
        found = searches[table.search]
        labels += [found.found_label, found.not_found_label]
    if table.of_whom is not None:
        labels.append(table.of_whom.label)
    for label in labels:
        if labels.count(label) > 1:
            raise ValueError(f"{where}: two of its rows would be labelled {label!r}")


def check_measures(
    measures: Mapping[str, Measure],
    class_groups: Mapping[str, ClassGroup],
    as_of: date,
    extracts_taken_on: date,
) -> None:
    """Each measure's name is a word (it names its search's worklist file and review), its class
    names exist, and its period ends by the day the extracts were taken."""
    for name, measure in measures.items():
        if not MEASURE_NAME.fullmatch(name):
            raise ValueError(
                f"measures.{shown_key(name)}: a measure's name is 1 to 40 letters, digits or "
                "underscores (it names files: its search's worklist)"
            )
        measure_classes(name, measure, class_groups)
        start, end = resolve_period(measure.period, as_of)
        if end > extracts_taken_on:
            raise ValueError(
                f"measures.{shown_key(name)}.period: it ends on {end}, after the extracts were "
                f"taken ({extracts_taken_on})"
            )
        if start.year < 1990:
            raise ValueError(f"measures.{shown_key(name)}.period: it starts in {start.year}")
        if end < start:  # `{from}` alone, after the day it runs to
            raise ValueError(
                f"measures.{shown_key(name)}.period: from {start} is after the day it runs to, "
                f"the request's as_of ({as_of})"
            )
