"""One request's briefing, step by step: the calls the briefing notebook makes, in order.

parameters -> extracts -> counts -> evidence search -> disclosure control -> outputs

Each step is a function of the previous steps' results, so the notebook stays a list of calls with
tables and text between them, and the tests can run the same steps without a notebook.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.analysis import counting, review
from helpers.briefing import chart_worker
from helpers.briefing.answers import AnswerTableInfo, chart_job, draws_chart, titled_classes
from helpers.briefing.report import count_phrase, thousands
from helpers.disclosure import suppression
from helpers.disclosure.across import AcrossResult, LoggedCell, protect_across
from helpers.disclosure.log import (
    DISCLOSURE_CELLS,
    DisclosureLog,
    log_folder,
    logged_shown,
    open_log,
)
from helpers.disclosure.tables import (
    ACROSS_RELEASES,
    SECONDARY,
    SECONDARY_DISPLAY,
    TOTAL,
    Protection,
)
from helpers.errors import (
    DataCoverageError,
    DisclosureError,
    DisclosureLogError,
    ExtractError,
    QuarantineError,
    ReleaseGateError,
)
from helpers.extracts import ho_classes
from helpers.extracts.load import load_extracts
from helpers.extracts.model import Extract
from helpers.permissions import private_folder, seal
from helpers.request.grammar import (
    TODAYS_SEARCH,
    TODAYS_TABLES,
    charge_code_groups,
    class_code_groups,
    resolve_period,
)
from helpers.request.measures import (
    AnswerTable,
    SearchReview,
    answer_tables,
    classes_held,
    compared_codes,
    drawn,
    long_day,
    unheld_by_entry,
)
from helpers.request.parameters import (
    EITHER_ROW,
    HUNTER_ROW,
    VIGILANTE_ROW,
    RequestParameters,
    validate_parameters,
)
from helpers.request.tables import CellUnits, Released, data_quality_tables, listed
from helpers.request.translate import in_grammar
from helpers.yaml_input import shown_key


def parameters_from(namespace: Mapping[str, Any]) -> RequestParameters:
    """The notebook's parameters (its global variables of the same names), checked."""
    names = RequestParameters.model_fields
    return validate_parameters({name: namespace[name] for name in names if name in namespace})


# ---- outputs: what may be shared and what may not


@dataclass(frozen=True)
class OutputPaths:
    """`<output_dir>/<reference>/release/` (shareable) and `.../restricted/` (never shared: its
    owner's only, or `FOI_SHARE_GROUP`'s, `helpers.permissions`)."""

    root: Path

    @classmethod
    def for_request(cls, params: RequestParameters) -> OutputPaths:
        return cls(params.request_output_path)

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def tables(self) -> Path:
        return self.release / "tables"

    @property
    def restricted(self) -> Path:
        return self.root / "restricted"

    def make(self) -> OutputPaths:
        self.tables.mkdir(parents=True, exist_ok=True)
        private_folder(self.restricted)  # before anything is written in it
        return self


# ---- extracts


def open_request_extract(params: RequestParameters) -> Extract:
    """The request's extract, through the extract cache (`FOI_NO_CACHE=1`: the CSV files)."""
    if os.environ.get("FOI_NO_CACHE"):
        # names and dates of birth too: the release gate needs them, as the cache has them
        return load_extracts(params.extracts_path, params.sources, personal_data=True)
    # here, not at the top: only a cached extract needs them (FOI_NO_CACHE reads the CSV files)
    from helpers.briefing.charts import warm_up
    from helpers.cache.entries import open_extract

    # a run's cache builder is still at work: the kernel draws a throwaway chart meanwhile, so
    # the briefing's own (after the build) is quicker
    return open_extract(params.extracts_path, params.sources, while_waiting=warm_up)


def load(params: RequestParameters) -> Extract:
    """Load the extracts and check they can answer the request."""
    extract = open_request_extract(params)
    check_coverage(params, extract)
    if params.strict:
        quarantined = sum(extract.data_quality["rows_quarantined"].values())
        if quarantined:
            first = extract.quarantine.iloc[0]
            raise QuarantineError(
                f"{quarantined} row(s) quarantined and strict is on; first: {first['file']} line "
                f"{first['line']}, column {first['column']!r}: {first['reason']}"
            )
    return extract


def check_coverage(params: RequestParameters, extract: Extract) -> None:
    """Stop when the extracts hold no crime in the period, or cannot cover the charge year."""
    if extract.crimes.empty:
        raise ExtractError(f"{extract.directory}: the extracts hold no usable crime")
    check_measures_coverage(params, extract)
    if not params.has_legacy:  # a request answered by its tables only
        return
    legacy = params.legacy
    first, last = extract.first_recorded, extract.last_recorded
    in_period = counting.recorded_within(extract.crimes, legacy.period_from, legacy.period_to)
    if not in_period.any():
        raise DataCoverageError(
            "period_from/period_to: no crime in the extracts was recorded from "
            f"{params.legacy.period_from} to {params.legacy.period_to} "
            f"(they run from {first:%Y-%m-%d} to {last:%Y-%m-%d})"
        )
    if params.legacy.period_from.year < first.year:
        raise DataCoverageError(
            f"period_from: {params.legacy.period_from} is before the extracts begin "
            f"({first:%Y-%m-%d}): the years before would be counted as none"
        )
    if not (first.year <= params.legacy.charge_year <= last.year):
        raise DataCoverageError(
            f"charge_year: {params.legacy.charge_year} is outside the extracts, which run from "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
        )


def check_measures_coverage(params: RequestParameters, extract: Extract) -> None:
    """Stop when a measure's period starts in a year before the extracts begin: the days before
    would be counted as none."""
    first = extract.first_recorded
    for name, measure in params.measures.items():
        start, _ = resolve_period(measure.period, params.as_of_date)
        if start.year < first.year:
            raise DataCoverageError(
                f"measures.{name}.period: it starts on {start}, before the extracts begin "
                f"({first:%Y-%m-%d}): the years before would be counted as none"
            )


# ---- counts


def answer(params: RequestParameters, extract: Extract) -> list[AnswerTable]:
    """The request's tables, counted (`request.measures`): a request of today's shape read into
    the grammar (`translate.in_grammar`: today's four tables, then any of its own)."""
    grammar = in_grammar(params) if params.has_legacy else params
    if own_charts(params, grammar) >= chart_worker.MIN_CHARTS:
        chart_worker.start()  # ready by the time the figures are protected
    return answer_tables(grammar, extract) if grammar.tables else []


def own_charts(params: RequestParameters, grammar: RequestParameters) -> int:
    """How many of the request's own tables the briefing draws (`draw_charts_beside` hands them
    over): today's four, of a request of today's shape, have the first request's chart."""
    todays = TODAYS_TABLES if params.has_legacy else ()
    return sum(drawn(grammar, t) for t in grammar.tables if t.name not in todays)


def todays_answers(params: RequestParameters, answers: Sequence[AnswerTable]) -> list[AnswerTable]:
    """Today's four tables, of a request of today's shape (none for a request of tables alone,
    whatever its tables' names)."""
    return [a for a in answers if params.has_legacy and a.name in TODAYS_TABLES]


def own_answers(params: RequestParameters, answers: Sequence[AnswerTable]) -> list[AnswerTable]:
    """The tables the request's own `tables:` asks for (not today's four)."""
    todays = {a.name for a in todays_answers(params, answers)}
    return [a for a in answers if a.name not in todays]


def todays_review(params: RequestParameters, answers: Sequence[AnswerTable]) -> SearchReview | None:
    """The hunter-group search and its review, of a request of today's shape (None for another)."""
    return search_reviews(answers).get(TODAYS_SEARCH) if params.has_legacy else None


def search_reviews(answers: Sequence[AnswerTable]) -> dict[str, SearchReview]:
    """Each search's review, once however many measures and tables count its crimes."""
    return {done.search: done for answer in answers for done in answer.reviews}


def negated_crimes(reviewed: SearchReview) -> frozenset[str]:
    """The crimes a search found only negated mentions in, and a reviewer did not count."""
    candidates = reviewed.candidates
    negated = candidates.loc[candidates["kind"] == "negated", "reference"]
    return frozenset(negated) - reviewed.outcome.counted


# ---- exact results (restricted)


def results(params: RequestParameters, extract: Extract, answers: Sequence[AnswerTable]) -> dict:
    """The exact figures, in the shape of `restricted/results.json`: today's keys for a request
    of today's shape, then `as_of` and every table's exact counts under its name, each search's
    review (today's is in `vigilante`), the run's warnings (docs/requests.md)."""
    exact: dict[str, Any] = {"reference": params.reference}
    if params.has_legacy:
        exact = todays_results(params, extract, answers)
    if answers:
        exact["as_of"] = params.as_of_date.isoformat()
        exact["tables"] = {answer.name: answer_results(answer) for answer in answers}
        todays = todays_review(params, answers)
        reviews = {n: done for n, done in search_reviews(answers).items() if done is not todays}
        if reviews:
            exact["search_reviews"] = {name: done.summary() for name, done in reviews.items()}
    own = own_answers(params, answers)
    found = taken_on_warnings(params, extract) + extract_warnings(extract)
    found += birth_warnings(answers) + cancelled_warnings(answers)
    found += data_warnings(params, extract, [a.measure for a in own]) if own else []
    found += search_warnings(params, search_reviews(own).values())
    # a request of today's shape names its classes in its measures in the grammar
    found += class_title_warnings(
        in_grammar(params) if params.has_legacy else params, extract, answers
    )
    if found:
        exact["warnings"] = found
    exact["data_quality"] = dict(extract.data_quality)
    return exact


def taken_on_warnings(params: RequestParameters, extract: Extract) -> list[str]:
    """Crimes recorded after the day the request says the extracts were taken: the date is wrong
    (or the extracts are others), and a period counted back from it is other days."""
    recorded = extract.crimes["recorded_at"]
    last = recorded.max() if len(recorded) else None
    if last is None or pd.isna(last) or last.date() <= params.extracts_taken_on:
        return []
    return [
        f"extracts_taken_on: the extracts hold crimes recorded after "
        f"{long_day(params.extracts_taken_on)}, the last on {long_day(last.date())}: is it the "
        "day they were taken? (a period counted back, and the briefing's date of the extracts, "
        "go by it)"
    ]


#: the records set aside that the run's warnings say, one line each (file, column, reason)
SET_ASIDE_SAID = 10


def extract_warnings(extract: Extract) -> list[str]:
    """What the extracts hold that the figures cannot use, said by the run, not only counted in
    results.json: the records set aside (by file, column and reason; their values stay in
    restricted/quarantine.csv), and the committed dates no format of the profile reads."""
    found = []
    quarantine = extract.quarantine
    if not quarantine.empty:
        groups = quarantine.groupby(["file", "column", "reason"], sort=False).size()
        groups = groups.sort_values(ascending=False, kind="stable")  # the most records first
        for where, n in groups.head(SET_ASIDE_SAID).items():
            file, column, reason = cast(tuple[str, str, str], where)
            them = "them" if n > 1 else "it"
            found.append(
                f"{shown_key(str(file))}, column {shown_key(str(column))}: "
                f"{count_phrase(f'{n:,}', 'record', 'records')} set aside ({reason}): the figures "
                f"leave {them} out; restricted/quarantine.csv lists {them}"
            )
        if len(groups) > SET_ASIDE_SAID:  # a damaged file: a reason a field count, say
            rest = int(groups.iloc[SET_ASIDE_SAID:].sum())
            found.append(
                f"and {rest:,} more {'record' if rest == 1 else 'records'} set aside, for "
                f"{len(groups) - SET_ASIDE_SAID:,} other reasons or columns: the figures leave "
                "them out; restricted/quarantine.csv lists them"
            )
    unread = int(extract.data_quality.get("committed_dates_unreadable", 0) or 0)
    if unread:
        one = unread == 1
        found.append(
            f"{count_phrase(f'{unread:,}', 'committed date', 'committed dates')} could not be read "
            "with the force profile's date formats (datetime_formats, then date_format): "
            f"{'its crime has' if one else 'their crimes have'} no committed date (an age table "
            f"counts {'its' if one else 'their'} people as \u201cAge not known\u201d; a measure by "
            f"committed date leaves {'it' if one else 'them'} out)"
        )
    return found


def birth_warnings(answers: Sequence[AnswerTable]) -> list[str]:
    """An age table's people whose dates of birth are written but no format reads: counted as
    "Age not known", as if none were recorded, unless the run says so."""
    found = []
    for answer in answers:
        n = answer.unread_births
        if n:
            found.append(
                f"tables.{shown_key(answer.name)}: "
                f"{count_phrase(f'{n:,}', 'person', 'people')} in it "
                f"{'has a date' if n == 1 else 'have dates'} of birth that the force profile's "
                "date formats (date_format, then datetime_formats) do not read: the table counts "
                f"{'them' if n > 1 else 'that person'} as \u201cAge not known\u201d"
            )
    return found


def cancelled_warnings(answers: Sequence[AnswerTable]) -> list[str]:
    """A charge measure's charges counted on crimes since cancelled, where it did not say whether
    to count them (`status`), once a measure: the sample force's systems keep no charge on a
    cancelled crime, another force's may."""
    counted = {answer.measure: answer.on_cancelled for answer in answers if answer.on_cancelled}
    return [
        f"measures.{shown_key(name)}: {count_phrase(f'{n:,}', 'charge', 'charges')} it counts "
        f"{'is' if n == 1 else 'are'} on crimes since cancelled: counted, as charges laid "
        "(status: live leaves them out; status: all counts them and says so)"
        for name, n in counted.items()
    ]


def data_warnings(params: RequestParameters, extract: Extract, used: Sequence[str]) -> list[str]:
    """Where a measure of the request's own tables (`used`) names what the extracts do not
    hold: a charge code no charge has, a class no crime is of now (a typing mistake counts as
    none, and says nothing else)."""
    codes = set(compared_codes(extract.charges).unique())
    classes = classes_held(extract)
    groups = {key: group.codes for key, group in (params.charge_groups or {}).items()}
    found = []
    for name in dict.fromkeys(name for name in used if name in params.measures):
        measure = params.measures[name]
        for entry, entry_codes in charge_code_groups(name, measure, groups).items():
            for code in entry_codes:
                if code not in codes:
                    where = f" (of charge group {shown_key(entry)})" if entry in groups else ""
                    found.append(
                        f"measures.{name}.charge_codes: no charge in the extracts has the code "
                        f"{shown_key(code)}{where}: it counts none"
                    )
        entries = class_code_groups(name, measure, params.class_groups)
        for entry, missing in unheld_by_entry(params, name, classes).items():
            entry_classes = entries[entry]
            said = f"measures.{name}.classes: no crime in the extracts is classified now as "
            if entry not in params.class_groups:
                found.append(f"{said}{missing[0]}: it counts none")
                continue
            every = len(missing) == len(entry_classes)
            how_many = (
                "every class" if every else f"{len(missing)} of the {len(entry_classes)} classes"
            )
            group = f"class group {shown_key(entry)}"
            named = missing[:MISSING_NAMED] + (
                [f"{len(missing) - MISSING_NAMED} more"] if len(missing) > MISSING_NAMED else []
            )
            found.append(
                f"{said}{listed(named, last='or')} ({how_many} of {group}): "
                f"{'they count' if len(missing) > 1 else 'it counts'} none"
            )
    return found


#: a class group's classes no crime has, named in a warning before "or N more"
MISSING_NAMED = 10


def class_title_warnings(
    params: RequestParameters, extract: Extract, answers: Sequence[AnswerTable]
) -> list[str]:
    """Where a class the briefing titles (a measure's, or a row of a table by class) is titled
    otherwise by the extracts' own systems (`extract.class_titles`, a profile's `ho_class_title`)
    than the briefing titles it (the force's own title, a profile's `class_titles`, else the
    shipped list's): the same code may mean another offence to the force."""
    own = params.class_titles
    found = []
    shown = [(cast(AnswerTableInfo, answer.facts), answer.counts) for answer in answers]
    for code in titled_classes(params, shown):
        printed = ho_classes.class_title(code, own)
        if printed is None:  # the briefing shows the code alone: no title to disagree with
            continue
        titles = extract.class_titles.get(code, {})
        checked = {  # cut as the titles read are kept
            title[: ho_classes.TITLE_CHARACTERS]
            for source in extract.sources
            for title in source.class_titles_checked.get(code, ())
        }
        other = [
            title
            for title in sorted(titles, key=titles.__getitem__, reverse=True)  # most written first
            if not ho_classes.titles_agree(title, printed) and title.casefold() not in checked
        ]
        if other:
            given = next((t for t in other if not t.isupper()), other[0])  # as a person writes it
            whose = (
                "the force profile\u2019s class_titles"
                if code in own
                else "the Home Office list shipped with foi-briefing"
            )
            found.append(
                f"class {code}: the extracts title it {_quoted(given)}, the briefing "
                f"{_quoted(printed)} ({whose}): check the class code before publishing, then "
                "give the force\u2019s title in the force profile\u2019s class_titles, or its "
                "system\u2019s title under class_titles_checked if the code means the list\u2019s "
                "offence (docs/force-profiles.md)"
            )
    return found


def _quoted(text: str) -> str:
    """A title in a warning line: in quotes, or as Python writes it where it holds what a
    terminal would act on (a line break, a control character), cut at 100 characters."""
    cut = text[:100] + ("..." if len(text) > 100 else "")
    return f"\u201c{cut}\u201d" if cut.isprintable() else repr(cut)


def search_warnings(params: RequestParameters, reviews: Iterable[SearchReview]) -> list[str]:
    """A search whose terms no text it read mentions (a mistyped term finds nothing, and says
    nothing else), named by its key: `searches.NAME`, or the measure with its own terms."""
    found = []
    for done in reviews:
        if len(done.candidates) or not len(done.searched):
            continue
        key = "searches" if done.search in (params.searches or {}) else "measures"
        found.append(
            f"{key}.{done.search}.terms: of the {len(done.searched):,} crimes searched, none has "
            "circumstances that mention the terms: it counts none"
        )
    return found


def answer_results(answer: AnswerTable) -> dict[str, Any]:
    """One answer table as `results.json` records it: its measure, period and exact counts;
    for a count by committed date, the crimes left out for want of one."""
    facts = answer.facts
    if facts.count == "review":  # a table of a search's review: its search, not a measure
        return {"review": answer.measure, "question": answer.question, "counts": answer.exact()}
    exact: dict[str, Any] = {
        "measure": answer.measure,
        "question": answer.question,
        "period": {"from": facts.period_from.isoformat(), "to": facts.period_to.isoformat()},
        "counts": answer.exact(),
    }
    if facts.date_basis == "committed":
        exact["crimes_without_committed_date"] = answer.undated
    if answer.unread_births:
        exact["people_with_unread_date_of_birth"] = answer.unread_births
    if answer.on_cancelled:
        exact["charges_on_cancelled_crimes"] = answer.on_cancelled
    return exact


def todays_results(
    params: RequestParameters, extract: Extract, answers: Sequence[AnswerTable]
) -> dict[str, Any]:
    """The figures of today's request shape (20180075), in `results.json`'s order, read from
    today's four tables (`translate.grammar_keys`) and the hunter-group search's review."""
    legacy = params.legacy
    todays = {answer.name: answer for answer in todays_answers(params, answers)}
    reviewed = todays_review(params, answers)
    if reviewed is None or set(todays) != set(TODAYS_TABLES):
        raise ValueError("todays_results: the answers are not today's tables (steps.answer)")
    years = [str(year) for year in legacy.years]
    by_year = todays["offences_by_year"].exact()
    events = todays["offences_by_year"].events
    assert events is not None  # a table of a measure, not of a review
    offences = extract.crimes.iloc[events.frame["crime_row"].to_numpy()]
    offences = offences.assign(year=offences["recorded_at"].dt.year)
    offence_ids = frozenset(offences["crime_id"])
    counted = reviewed.outcome.counted
    # the table's one column: people charged in the charge year
    charged = {
        row: n for row, cells in todays["people_charged"].exact().items() for n in cells.values()
    }
    persons = {
        "year": legacy.charge_year,
        **{name: charged[group.label] for name, group in legacy.charge_groups.items()},
        "either": charged[EITHER_ROW],
        "vigilante": charged[VIGILANTE_ROW],
    }
    return {
        "reference": params.reference,
        "period": {"from": legacy.period_from.isoformat(), "to": legacy.period_to.isoformat()},
        "offences_by_year": {year: by_year[TOTAL][year] for year in years},
        "outcomes_by_year": counting.outcomes_by_year(offences, legacy.years),
        "persons_charged": persons,
        "vigilante": {
            "offences_by_year": {year: by_year[HUNTER_ROW][year] for year in years},
            "crime_references": sorted(counted & offence_ids),
            "negated_references": sorted(negated_crimes(reviewed) & offence_ids),
            "search_scope": params.search_scope,
            "crimes_searched": len(reviewed.searched),
            # their circumstances searched in their first evidence.WORD_LIMIT words only
            "searched_in_part": reviewed.in_part,
            "candidates": len(reviewed.candidates),
            "reviewed": reviewed.outcome.reviewed,
            "overturned": reviewed.outcome.overturned,
            # decisions for crimes the search no longer proposes (mistyped, or terms changed):
            # not applied, listed here so the reviewer sees them
            "decisions_not_on_worklist": reviewed.outcome.unmatched_decisions,
            # where the decisions came from, what the run could not use, the second review
            "review": review.review_summary(
                reviewed.run, reviewed.outcome, len(reviewed.candidates)
            ),
        },
    }


# ---- disclosure control: the tables that may be released


def protect(
    params: RequestParameters, extract: Extract, answers: Sequence[AnswerTable] = ()
) -> Released:
    """Apply the disclosure rules to every table of the response (today's four, where the
    request has today's shape, the data's quality, the request's own tables); stop if any is
    unsafe."""
    todays = todays_answers(params, answers)
    own = own_answers(params, answers)
    tables = [
        *(answer.table() for answer in todays),
        *data_quality_tables(extract, params),  # told whatever the request's shape
        *(answer.table() for answer in own),
    ]
    links = [link for answer in answers for link in answer.links]
    protection = suppression.protect(tables, links, threshold=params.disclosure_threshold)
    if not protection.safe:
        raise DisclosureError(
            "a withheld figure could still be worked out from the released tables", protection
        )
    for name, display in protection.tables.items():
        protection.tables[name] = display.map(thousands)
    return Released(
        protection,
        {table.name: table.title for table in tables},
        answers={answer.name: answer.facts for answer in own},
    )


def protect_across_releases(
    params: RequestParameters,
    extract: Extract,
    released: Released,
    answers: Sequence[AnswerTable] = (),
) -> Released:
    """The response's tables checked with every release the disclosure log holds as published
    (`helpers.disclosure.log`; none yet: nothing to check against), before anything of this
    draft is written; each protected cell's units kept for the log (every table that counts
    people or crimes: all but the data's quality)."""
    units = {answer.name: answer.units for answer in answers}
    log = open_log(log_folder(None, params.extracts_path))[0]
    published = log.published() if log is not None else []
    protection, across = audit_across_releases(
        released.protection,
        draft_cells(params, released.protection, units, log),
        [cell for record in published for cell in record.logged_cells()],
        params.disclosure_threshold,
    )
    return Released(
        protection,
        released.titles,
        released.notes,
        units=units,
        published_releases=len(published),
        across=across_report(across, len(published)),
        answers=released.answers,
    )


def draft_cells(
    params: RequestParameters,
    protection: Protection,
    units: dict[str, CellUnits],
    log: DisclosureLog | None,
) -> list[LoggedCell]:
    """This release's protected cells as the disclosure log records them: each with what it
    shows and its units, hashed by the log's key (as the published cells are; without a log,
    there is nothing to compare them with, and they stay as they are)."""
    keys = [(table, row, column) for table, cells in units.items() for row, column in cells]
    members = [units[table][(row, column)] for table, row, column in keys]
    hashed = log.hashed_sets(members) if log is not None else [frozenset(m) for m in members]
    return [
        LoggedCell(
            f"{params.reference}/draft",
            table,
            str(row),
            str(column),
            cell_hashed,
            logged_shown(str(protection.tables[table].loc[row, column])),
            protection.threshold,
        )
        for (table, row, column), cell_hashed in zip(keys, hashed, strict=True)
    ]


def audit_across_releases(
    protection: Protection,
    draft: list[LoggedCell],
    published: list[LoggedCell],
    threshold: int,
) -> tuple[Protection, AcrossResult]:
    """This draft's cells audited with every cell the log holds as published (withdrawn ones
    too), before anything of the draft is written: the draft withholds more where the two
    together would give a hidden figure away (`helpers.disclosure.across`). Stops the run if no
    withholding can protect a figure."""
    try:
        result = protect_across(draft, published, threshold)
    except ValueError as error:  # the log's cells contradict each other: a damaged log
        raise DisclosureLogError(f"the disclosure log cannot be used: {error}") from None
    if not result.safe:
        cells = dict.fromkeys(
            f"{release} {table} {row!r}/{column!r}"
            for release, table, row, column in result.unprotected
        )
        raise DisclosureError(
            "a withheld figure could be worked out with the releases already published, whatever "
            f"else this draft withholds ({'; '.join(cells)}): narrow or regroup the request",
            protection,
        )
    return withhold_across(protection, result), result


def withhold_across(protection: Protection, result: AcrossResult) -> Protection:
    """The protection with the cells the audit across releases withheld shown as `[c]`, marked
    secondary, and each with its reason in the secondary log."""
    if not result.extra_withheld:
        return protection
    tables = {name: display.copy() for name, display in protection.tables.items()}
    status = {name: st.copy() for name, st in protection.status.items()}
    log = list(protection.secondary_log)
    for withheld in result.extra_withheld:
        for table, row, column in (withheld.cell, *withheld.also):
            labels = tables[table]
            r = next(label for label in labels.index if str(label) == row)
            c = next(label for label in labels.columns if str(label) == column)
            tables[table].loc[r, c] = SECONDARY_DISPLAY
            status[table].loc[r, c] = SECONDARY
            log.append(
                {
                    "cell": (table, row, column),
                    "protects": list(withheld.protects),
                    "across_releases": list(withheld.by_releases),
                }
            )
    return replace(
        protection,
        tables=tables,
        status=status,
        secondary_log=log,
        link_kinds=tuple(dict.fromkeys((*protection.link_kinds, ACROSS_RELEASES))),
    )


def across_report(result: AcrossResult, published_releases: int) -> dict:
    """What the restricted gate report says of the audit across releases: how many releases it
    was checked against, which constrained it, what more it withheld and what the published
    releases already gave away between them."""
    return {
        "checked_against_releases": published_releases,
        "constraining_releases": list(result.constraining_releases),
        "extra_withheld": [
            {
                "cell": list(w.cell),
                "with": [list(cell) for cell in w.also],
                "protects": list(w.protects),
                "with_releases": list(w.by_releases),
            }
            for w in result.extra_withheld
        ],
        "already_disclosed": [
            {"cell": list(d.cell), "by_releases": list(d.by_releases)}
            for d in result.already_disclosed
        ],
    }


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(data, indent=1, sort_keys=False, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def write_json_lines(path: Path, data: dict, listed: str) -> None:
    """`data` as JSON with each item of its list `listed` on one line: the same JSON as
    `write_json`'s, but each item written by json's C encoder (an indented dump is encoded in
    Python, seconds for a table of all crimes' units)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = json.dumps({k: v for k, v in data.items() if k != listed}, ensure_ascii=False)
    items = ",\n".join(json.dumps(item, ensure_ascii=False) for item in data[listed])
    opened = head[:-1] + (", " if len(data) > 1 else "")
    path.write_text(f'{opened}"{listed}": [\n{items}\n]}}\n', encoding="utf-8")


def write_restricted(
    paths: OutputPaths,
    params: RequestParameters,
    extract: Extract,
    answers: Sequence[AnswerTable] = (),
) -> dict:
    """The exact figures, the quarantine and each search's worklist: for the force only."""
    paths.make()
    exact = results(params, extract, answers)
    write_json(paths.restricted / "results.json", exact)
    extract.quarantine.to_csv(paths.restricted / "quarantine.csv", index=False)
    todays = todays_review(params, answers)
    if todays is not None:  # where the review notebook and today's reviewers find them
        spreadsheet_safe(todays.candidates).to_csv(
            paths.restricted / review.CANDIDATES_FILE, index=False
        )
        # the decisions the figures used, and where each came from
        review.used_decisions_csv(todays.run).to_csv(
            paths.restricted / review.DECISIONS_FILE, index=False
        )
    for name, done in search_reviews(answers).items():
        if done is todays:
            continue
        worklist = paths.restricted / review.search_worklist(name)
        if worklist.resolve().parent != (paths.restricted / "candidates").resolve():
            raise ValueError(f"{name!r}: not a search's name (it must name a file)")
        worklist.parent.mkdir(exist_ok=True)
        spreadsheet_safe(done.candidates).to_csv(worklist, index=False)
    # the texts this run read: the release gate checks the briefing copies none of them
    # (here, not at the top: the gate loads when the tables are written, not at the kernel's start)
    from helpers.gate.sensitive import write_search_scope

    write_search_scope(paths.restricted, texts_read(answers))
    seal(paths.restricted)
    return exact


def spreadsheet_safe(frame: pd.DataFrame, exact: Sequence[str] = ("reference",)) -> pd.DataFrame:
    """A worklist as a reviewer opens it in a spreadsheet: a text cell a spreadsheet would run
    as a formula (a search term, a matched word, a reviewer's note) is neutralised as a released
    table's cell is (`gate.readers.is_formula`); the `exact` columns (the references the review
    notebook matches) are left as they are."""
    # here, not at the top: the gate loads when the tables are written, not at the kernel's start
    from helpers.gate.readers import NEUTRALISED, is_formula

    safe = frame.copy()
    for column in safe.columns.difference(list(exact)):
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda cell: (
                    NEUTRALISED + cell if isinstance(cell, str) and is_formula(cell) else cell
                )
            )
    return safe


def texts_read(answers: Sequence[AnswerTable]) -> pa.Array:
    """The crimes whose circumstances the run searched, sorted, each once. In Arrow: a measure
    may search every crime's text."""
    read = [done.searched for done in search_reviews(answers).values()]
    searched = pc.unique(pa.chunked_array(read, pa.string()).combine_chunks())
    return searched.take(pc.sort_indices(searched))


def briefing_order(params: RequestParameters, released: Released) -> list[str]:
    """The released tables in the order the briefing numbers them (the workbook's sheets
    follow it): today's request's tables, its data's quality, then its answer tables; for a
    request of tables alone, its tables in the order of their questions, then the data's
    quality."""
    answers = sorted(released.answers, key=lambda name: released.answers[name].question)
    others = [name for name in released.tables if name not in released.answers]
    ordered = others + answers if params.has_legacy else answers + others
    return [name for name in ordered if name in released.tables]


def draw_charts_beside(released: Released) -> None:
    """Hand the answer tables' charts to the process beside the kernel (`chart_worker`, started by
    `answer` for a request of two charts or more), to draw while the tables are written."""
    chart_worker.submit(
        # an AnswerFacts is what the briefing reads of a table (frozen: read-only, as it reads it)
        chart_job(cast(AnswerTableInfo, facts), released.tables[facts.name])
        for facts in released.answers.values()
        if draws_chart(cast(AnswerTableInfo, facts), released.tables[facts.name])
    )


def write_release_tables(
    paths: OutputPaths, params: RequestParameters, released: Released, extract: Extract
) -> None:
    """Write the released tables as CSV, and as one workbook (`release/tables.xlsx`,
    `helpers.briefing.workbook`), after the release gate's checks on them.

    The same checks run again on every release file at the end of `foi-briefing run`; running
    them here means a direct papermill run cannot leave an unchecked table either.
    """
    # here, not at the top: the gate and gptables load when the tables are written, not at the
    # kernel's start
    from helpers.briefing.workbook import WORKBOOK, release_workbook
    from helpers.gate.check import write_tables
    from helpers.gate.sensitive import ExtractSensitive, read_search_scope

    tables = {name: csv_frame(released.tables[name]) for name in briefing_order(params, released)}
    workbook = (paths.release / WORKBOOK, release_workbook(params, tables, released))
    sensitive = ExtractSensitive(extract, read_search_scope(paths.restricted))
    paths.make()
    try:  # checked, then written; nothing is written if the check fails
        report = write_tables(
            tables, paths.tables, params.disclosure_threshold, sensitive, workbook
        )
    except ReleaseGateError as error:
        if error.report is not None:
            write_json(paths.restricted / "gate_tables.json", error.report.to_dict())
            seal(paths.restricted)
        raise
    write_json(
        paths.restricted / "gate_tables.json",
        {**report.to_dict(), "across_releases": released.across},
    )
    write_json_lines(
        paths.restricted / DISCLOSURE_CELLS, disclosure_cells(params, released), "cells"
    )
    seal(paths.restricted)


def disclosure_cells(params: RequestParameters, released: Released) -> dict:
    """Each protected cell: table, row, column, what it shows and the units it counts."""
    return {
        "reference": params.reference,
        "cells": [
            {
                "table": table,
                "row": str(row),
                "column": str(column),
                "shown": released.value(table, row, column),
                "units": sorted(members),
            }
            for table, cells in released.units.items()
            for (row, column), members in cells.items()
        ],
    }


def csv_frame(display: pd.DataFrame) -> pd.DataFrame:
    """A released table as its CSV rows: first column the row labels, headed by the table's
    corner label."""
    corner = display.index.name or ""
    frame = display.reset_index()
    frame.columns = [corner, *[str(column) for column in display.columns]]
    return frame.astype(str)
