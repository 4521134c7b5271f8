"""The briefing's words, tables and charts for a request written in the grammar (`tables:`).

One answer per question, in the order asked: a sentence for each table that answers it, built
from the table's *released* cells (never the exact figures), then the table and, for a table by
time, its chart. The method says only the rules the request's measures used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Protocol

import pandas as pd

from helpers.briefing import chart_worker
from helpers.briefing.chart_worker import ChartJob, chart_svg
from helpers.briefing.narrative import marks_note, review_cost_text
from helpers.briefing.report import (
    Html,
    as_number,
    bullet_list,
    definitions,
    figure_html,
    table_html,
    text_html,
    thousands,
)
from helpers.disclosure.tables import TOTAL
from helpers.request.tables import MANY_CLASSES, listed, named_classes

#: the breakdowns by time: a table by one of them is drawn as a chart
TIME_BREAKDOWNS = ("year", "financial_year", "quarter", "month")

#: each count's noun (singular, plural) and the verb a sentence says it with
NOUNS: dict[str, tuple[str, str]] = {
    "offences": ("offence", "offences"),
    "mentions": ("crime", "crimes"),
    "victims": ("victim", "victims"),
    "suspects": ("suspect", "suspects"),
    "people_charged": ("person", "people"),
    "charges": ("charge", "charges"),
}
VERBS = {"people_charged": "we charged", "charges": "we laid"}
#: a caveat of classes no crime has (`AnswerFacts.caveat`), said short where it was said before
UNHELD_SAID = "No crime in our records has its classification"
#: the count of a table of a search's review (`request.measures.review_table`)
REVIEW = "review"

#: how a breakdown is named in "Table 2 gives them by ..."
BREAKDOWN_WORDS = {
    "year": "year",
    "financial_year": "financial year (April to March)",
    "quarter": "quarter",
    "month": "month",
    "offence_class": "offence class",
    "outcome_group": "outcome",
    "victim_age": "the victim\u2019s age",
    "suspect_age": "the suspect\u2019s age",
    "system": "crime system",
    "charge_group": "offence charged",
    "search": "what the circumstances mention",
}


class AnswerTableInfo(Protocol):
    """What the briefing needs of one table of the grammar (made by `helpers.request.measures`)."""

    name: str
    title: str
    question: int
    measure: str  # the measure's name in the request
    count: str  # offences | victims | suspects | people_charged | charges | mentions
    measure_label: str  # completes "1,234 ...": "offences of criminal damage to a dwelling"
    rows: str | None  # a breakdown, or None
    columns: str | None
    chart: bool
    notes: list[str]
    period_from: date
    period_to: date
    period_words: str  # "from 1 January 2016 to 5 December 2018"
    # "the three complete years before 1 January 2019", "2018 up to 5 December", or None
    relative_period: str | None
    total_label: str  # the Total row's label
    of_whom: str | None  # a row below the Total counting a part of it, or None
    found_label: str | None  # a `search` breakdown's part that the search counts, or None
    part_terms: str | None  # that part's search's terms in words: any of “dog” or “puppy”
    date_basis: str  # recorded | committed | charged: the date the period counts by
    caveat: str | None  # a sentence said after the whole figure (a class no crime has), or None


# ---- figures in words


def figure_words(value: str) -> str:
    """A released figure in running text: `1,234`, `fewer than 5`, `a withheld number of`."""
    value = str(value)
    if value.startswith("<"):
        return f"fewer than {value[1:]}"
    if value == "[c]":
        return "a withheld number of"
    return "no" if value == "0" else thousands(value)


def figure_alone(value: str) -> str:
    """A released figure standing on its own in a list: `456`, `fewer than 5`, `none`,
    `a withheld figure`."""
    value = str(value)
    if value == "[c]":
        return "a withheld figure"
    return "none" if value == "0" else figure_words(value)


def some(value: str) -> str:
    """A released count of crimes in a sentence of their own: as `figure_alone`, but `some`
    for a withheld `[c]` (not "a withheld figure of them")."""
    return "some" if str(value) == "[c]" else figure_alone(value)


def counted(value: str, info: AnswerTableInfo) -> str:
    """`1,234 offences of criminal damage`, `1 offence of ...`, `no offences of ...`: the label's
    first word (its noun) singular for a released 1."""
    label = info.measure_label
    singular, plural = NOUNS.get(info.count, ("", ""))
    if str(value) == "1" and label.split(" ", 1)[0] == plural:
        label = singular + label[len(plural) :]
    return f"{figure_words(value)} {label}"


def row_figure(display: pd.DataFrame, row: str) -> str:
    """A row's released figure: its last column's (the Total's, where the table has columns)."""
    return str(display.loc[row].iloc[-1])


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def total_sentence(info: AnswerTableInfo, display: pd.DataFrame, short: bool = False) -> str:
    """The table's whole figure in one sentence: "From 1 January 2016 to 5 December 2018 we
    recorded 1,234 offences of criminal damage to a dwelling." """
    value = row_figure(display, info.total_label)
    verb = VERBS.get(info.count, "we recorded")
    period = period_phrase(info, short)
    if info.date_basis == "committed":  # the period is of the offences, not of their recording
        return f"For offences committed {period}, {verb} {counted(value, info)}."
    return f"{_sentence_start(period)} {verb} {counted(value, info)}."


def period_of_fact(info: AnswerTableInfo) -> str:
    """A key fact's period after its label: "in 2018", "charged in 2018", "committed in 2018"
    (of people: "of offences committed in 2018"); a period counted back by its years alone (a
    tile is short: the answer says it whole)."""
    period = period_phrase(info, short=True)
    if info.date_basis == "committed":
        return (
            f"{'' if info.count in ('offences', 'mentions') else 'of offences '}committed {period}"
        )
    verb = VERBS.get(info.count, "").removeprefix("we ")
    return f"{verb + ' ' if verb else ''}{period}"


def review_sentence(
    display: pd.DataFrame, number: int, minutes_per_record: float, threshold: int
) -> str:
    """A table of a search's review in words, from its released rows (searched, candidates,
    reviewed, changed, in that order), and the time reading every candidate takes against
    section 12's limit (none found: nothing to read)."""
    searched, candidates, reviewed, changed = (str(v) for v in display.iloc[:4, 0])
    said = f"We searched the circumstances of {figure_words(searched)} crimes; "
    if candidates == "0":  # nothing to read, and no time to say
        return (
            f"{said}none had a mention of the terms, so there was nothing for a reviewer to "
            f"read. Table {number} gives the search."
        )
    said += f"{some(candidates)} had a mention of the terms for a person to read, and "
    withheld = (
        f"; Table {number} withholds the numbers marked [c] so that smaller ones cannot be "
        "worked out"
        if "[c]" in (candidates, reviewed, changed)
        else ""
    )
    if reviewed == "0":
        said += "no reviewer has read them yet."
    else:
        said += (
            f"a reviewer has read {some(reviewed)} of them ({some(changed)} changing the "
            f"search\u2019s call{withheld})."
        )
    said += f" Table {number} gives the search and its review."
    return f"{said} {review_cost_text(candidates, minutes_per_record, threshold)}"


def parts(info: AnswerTableInfo, display: pd.DataFrame) -> list[str]:
    """The rows of a table that are parts of its Total (not the Total, nor an `of_whom` row)."""
    return [label for label in display.index if label not in (info.total_label, info.of_whom)]


#: what a part of a count that a search counts is, after its noun ("offences whose ...")
WHOSE = {
    "offences": "whose circumstances mention",
    "mentions": "whose circumstances mention",
    "victims": "of a crime whose circumstances mention",
    "suspects": "of a crime whose circumstances mention",
    "people_charged": "charged on a crime whose circumstances mention",
    "charges": "on a crime whose circumstances mention",
}


def of_whom_sentence(info: AnswerTableInfo, display: pd.DataFrame, whole: str = "these") -> str:
    """The whole figure of the part a search counts, in a sentence of its own, from an `of_whom`
    row or a `search` breakdown's found row or column: "Of these, 3 were people charged on a
    crime whose circumstances mention “dog”." `whole`: what "these" are, where no sentence has
    just said it."""
    if info.of_whom is not None:
        label, value = info.of_whom, display.loc[info.of_whom].iloc[-1]
    elif info.found_label is not None and info.rows == "search":
        label, value = info.found_label, display.loc[info.found_label].iloc[-1]
    elif info.found_label is not None:
        label, value = info.found_label, display.loc[info.total_label, info.found_label]
    else:
        return ""
    value = str(value)
    if row_figure(display, info.total_label) == "0":  # "Of these" of none says nothing
        return ""
    if info.part_terms is None:  # no search's words to say it with: the row as labelled
        return f"{_sentence_start(label)}: {figure_alone(value)}."
    singular, plural = NOUNS.get(info.count, ("crime", "crimes"))
    what = f"{WHOSE.get(info.count, 'whose circumstances mention')} {info.part_terms}"
    if value == "[c]":
        return f"Of {whole}, the number of {plural} {what} is withheld."
    if value == "1":
        article = "an" if singular[:1] in "aeiou" else "a"
        return f"Of {whole}, 1 was {article} {singular} {what}."
    return f"Of {whole}, {figure_alone(value)} were {plural} {what}."


def parts_sentence(
    info: AnswerTableInfo, display: pd.DataFrame, number: int, whole: str = "them"
) -> str:
    """Where the figures are broken down: the parts listed when they are few, else the table
    named; a total of people that is not the sum of its parts says so. `whole`: what the table
    breaks down, where no sentence has just said it."""
    none = row_figure(display, info.total_label) == "0"
    if info.rows is None:  # one row: the table is pointed to all the same
        if info.columns is None:
            return f"Table {number} gives {'the figure' if whole == 'them' or none else whole}."
        by_columns = BREAKDOWN_WORDS.get(info.columns, info.columns)
        return f"Table {number} gives {'the figures' if none else whole} by {by_columns}."
    if none:  # "them" would be the none just said, and its parts all none
        whole = "the figures"
    by = BREAKDOWN_WORDS.get(info.rows, info.rows)
    if info.columns is not None:
        by += f" and {BREAKDOWN_WORDS.get(info.columns, info.columns)}"
    rows = parts(info, display)
    text = f"Table {number} gives {whole} by {by}"
    if none:
        return text + "."
    if info.columns is None and 1 < len(rows) <= 4:
        # a label with brackets of its own is quoted, not bracketed again: all alike in one list
        quoted = any("(" in r for r in rows) and not _in(info.rows, rows[0]).startswith("in ")
        values = [
            f"{figure_alone(row_figure(display, r))} "
            + (f"for \u201c{r}\u201d" if quoted else _in(info.rows, r))
            for r in rows
        ]
        return text + ": " + ", ".join(values[:-1]) + " and " + values[-1] + "."
    top = largest_part(display, rows) if info.rows != "search" else None  # not the remainder
    if top is not None and row_figure(display, top) != row_figure(display, info.total_label):
        value = thousands(row_figure(display, top))
        if _in(info.rows, top).startswith("in "):  # a time or a system
            text += f"; the most were in {top} ({value})"
        else:  # a label of the request's may be an age band ("Under 13"): named, not read into
            text += f"; the largest group is \u201c{top}\u201d ({value})"
    return text + "."


def largest_part(display: pd.DataFrame, rows: list[str]) -> str | None:
    """The row whose released total is the largest of `rows`, where the released figures show
    it: none if two are alike or one is withheld (`[c]` may be any figure). A `<T` is below
    every figure shown but 0, and a largest of 0 is none."""
    values = {row: row_figure(display, row) for row in rows}
    if len(rows) < 2 or "[c]" in values.values():
        return None
    shown = {row: n for row, v in values.items() if (n := as_number(v)) is not None}
    top = max(shown.values(), default=0)
    first = [row for row, n in shown.items() if n == top]
    return first[0] if top > 0 and len(first) == 1 else None


def _in(breakdown: str, label: str) -> str:
    """A row's label after a figure: `in 2017`, `in Jan 2017`, `(058/01 ...)`, `(13 to 15)`."""
    if breakdown in TIME_BREAKDOWNS or breakdown == "system":
        return f"in {label}"
    return f"({label})"


# ---- the answer, question by question


def numbered_tables(answer_tables: Sequence[AnswerTableInfo], first: int = 1) -> dict[str, int]:
    """Each table's number in the briefing: in the order of the questions they answer."""
    ordered = sorted(answer_tables, key=lambda info: info.question)
    return {info.name: number for number, info in enumerate(ordered, start=first)}


def answer_sentences(
    answer_tables: Sequence[AnswerTableInfo],
    tables: dict[str, pd.DataFrame],
    questions: int,
    first_table: int = 1,
    minutes_per_record: float = 5,
    threshold: int = 5,
) -> list[str]:
    """One answer per question: the sentences of every table that answers it. A whole figure
    is said once: a later table of it gives "the same" figure by its own breakdown. A search's
    review says how long reading its matches takes, at `minutes_per_record`."""
    numbers = numbered_tables(answer_tables, first_table)
    answers: list[str] = []
    said: set[str] = set()
    periods_said: set[str] = set()  # a period counted back is said in full once, then by its years
    caveats_said: dict[str, int] = {}  # and a caveat once, by the question it was said in
    for question in range(1, questions + 1):
        sentences, previous = [], None
        for info in answer_tables:
            if info.question != question:
                continue
            if info.count == REVIEW:
                sentences.append(
                    review_sentence(
                        tables[info.name], numbers[info.name], minutes_per_record, threshold
                    )
                )
                previous = None
                continue
            display = tables[info.name]
            total = total_sentence(info, display)
            short = info.relative_period in periods_said
            said_as = total_sentence(info, display, short) if short else total
            caveat = info.caveat
            if caveat in caveats_said:
                caveat = f"{UNHELD_SAID} (see answer {caveats_said[caveat]})."
            told = table_sentences(
                info, display, numbers[info.name], total, said, previous, said_as, caveat
            )
            if info.caveat is not None and caveat in told:  # said with its whole figure
                caveats_said.setdefault(info.caveat, question)
            sentences += told
            if info.relative_period is not None:
                periods_said.add(info.relative_period)
            said.add(total)
            previous = total
        answers.append(" ".join(s for s in sentences if s) or "This question has no table.")
    return answers


def table_sentences(
    info: AnswerTableInfo,
    display: pd.DataFrame,
    number: int,
    total: str,
    said: set[str],
    previous: str | None,
    said_as: str | None = None,
    caveat: str | None = None,
) -> list[str]:
    """A table's sentences: its whole figure (`total`, said as `said_as`), a `caveat` of it, the
    part a search counts, its breakdown.
    A whole figure `said` already is not said again: the table gives "the same" figure, or
    "them" just after the table before it in the answer said it (`previous`)."""
    value = row_figure(display, info.total_label)
    # a withheld figure, or none ("the same no offences"), is said in full again
    if total not in said or not value.replace(",", "").isdigit() or value == "0":
        return [
            said_as or total,
            caveat or "",
            of_whom_sentence(info, display),
            parts_sentence(info, display, number),
        ]
    same = "them" if total == previous else f"the same {counted(value, info)}"
    of_whom = of_whom_sentence(info, display, "these" if same == "them" else same)
    return [of_whom, parts_sentence(info, display, number, "them" if of_whom else same)]


def key_facts(answer_tables: Sequence[AnswerTableInfo], tables: dict[str, pd.DataFrame]) -> Html:
    """The answers at a glance: each question's first table's whole figure, with what it counts."""
    facts = []
    seen: set[int] = set()
    for info in sorted(answer_tables, key=lambda i: i.question):
        if info.question in seen or info.count == REVIEW:
            continue
        seen.add(info.question)
        value = row_figure(tables[info.name], info.total_label)
        label = counted(value, info).removeprefix(figure_words(value)).strip()
        fact = (value, f"{label}, {period_of_fact(info)}")
        if info.caveat is not None:  # a 0 of a class the force does not use is no finding
            fact = (value, f"{fact[1]} ({UNHELD_SAID[:1].lower()}{UNHELD_SAID[1:]})")
        if fact not in facts:  # two questions answered by one measure's whole: one tile
            facts.append(fact)
    tiles = "".join(
        f'<div class="fact"><p class="figure">{text_html(thousands(value))}</p>'
        f'<p class="label">{text_html(label)}</p></div>'
        for value, label in facts[:4]
    )
    return Html(
        '<section class="key-facts" aria-label="Key facts"><h2 class="key-facts-heading">Key facts'
        f'</h2><div class="facts">{tiles}</div></section>'
    )


def request_and_answer(
    questions: list[str],
    answer_tables: Sequence[AnswerTableInfo],
    tables: dict[str, pd.DataFrame],
    threshold: int,
    minutes_per_record: float = 5,
) -> Html:
    """Your request, our answer in sentences (numbered as the questions), then each question's
    tables and charts."""
    answers = answer_sentences(
        answer_tables, tables, len(questions), 1, minutes_per_record, threshold
    )
    return Html(
        "<h2>Your request</h2><p>You asked:</p>"
        + bullet_list(questions, ordered=True, klass="questions")
        + "<h2>Our answer</h2>"
        + f'<div class="summary">{bullet_list(answers, ordered=True, klass="answers")}</div>'
        + marks_note(threshold, marks_shown(tables.values()))
        + tables_and_charts(answer_tables, tables)
    )


def marks_shown(tables: Iterable[pd.DataFrame]) -> set[str]:
    """The marks of withheld figures the released tables show: `<` (a `<T`), `[c]`."""
    cells = {str(value) for display in tables for value in display.to_numpy().ravel()}
    return {mark for mark in ("<", "[c]") if any(cell.startswith(mark) for cell in cells)}


def tables_and_charts(
    answer_tables: Sequence[AnswerTableInfo],
    tables: dict[str, pd.DataFrame],
    first_table: int = 1,
    first_figure: int = 1,
) -> Html:
    """Each table, in the order of the questions, followed by its chart if it has one."""
    numbers = numbered_tables(answer_tables, first_table)
    figure = first_figure
    shown = []
    for info in sorted(answer_tables, key=lambda i: i.question):
        display = tables[info.name]
        shown.append(table_html(display, info.title, number=numbers[info.name], notes=info.notes))
        if draws_chart(info, display):
            shown.append(time_figure(info, display, figure))
            figure += 1
    return Html("".join(shown))


# ---- charts


def draws_chart(info: AnswerTableInfo, display: pd.DataFrame) -> bool:
    """A table by time is drawn, unless its figure is none (every bar would be none: the table
    says so)."""
    return info.chart and row_figure(display, info.total_label) != "0"


def time_series(info: AnswerTableInfo, display: pd.DataFrame) -> pd.Series:
    """The figures a chart draws: the table's totals over its time breakdown, as released."""
    if info.rows in TIME_BREAKDOWNS:
        return display.loc[parts(info, display)].iloc[:, -1]
    row = display.iloc[list(display.index).index(info.total_label)]  # the Total row, as a Series
    return row.drop(labels=[TOTAL]) if TOTAL in row.index else row


def chart_job(info: AnswerTableInfo, display: pd.DataFrame) -> ChartJob:
    """What a table's chart draws: its released figures over time, their labels, the axis's
    name (all the chart depends on: drawn here or beside, the same job gives the same bytes)."""
    return _job(time_series(info, display), _chart_noun(info))


def _chart_noun(info: AnswerTableInfo) -> str:
    return NOUNS.get(info.count, ("", "figures"))[1]


def _job(series: pd.Series, noun: str) -> ChartJob:
    return ChartJob(
        labels=tuple(str(label) for label in series.index),
        shown=tuple(str(value) for value in series),
        ylabel=_sentence_start(noun),
    )


def time_figure(info: AnswerTableInfo, display: pd.DataFrame, number: int) -> Html:
    series, noun = time_series(info, display), _chart_noun(info)
    caption = f"{_sentence_start(noun)} by {BREAKDOWN_WORDS.get(_time_key(info), 'period')}"
    notes = ["The same figures as the table. A withheld figure is drawn as an empty, hatched bar."]
    job = _job(series, noun)
    return figure_html(
        chart_worker.take(job) or chart_svg(job),
        caption,
        alt=chart_text(series, noun),
        number=number,
        notes=notes if any(as_number(v) is None for v in series) else None,
    )


def _time_key(info: AnswerTableInfo) -> str:
    return info.rows if info.rows in TIME_BREAKDOWNS else str(info.columns)


def chart_text(series: pd.Series, noun: str) -> str:
    """The chart in words, for its alt text: the released figures, nothing more."""
    parts = [f"{label}: {figure_alone(value)}" for label, value in series.items()]
    return f"Bar chart of the {noun} in each period. " + "; ".join(parts) + "."


# ---- how we counted


def method(rules: dict[str, str]) -> Html:
    """How each figure was counted: the rules the request's measures used, in plain words."""
    return Html("<h2>How we counted</h2>" + definitions(rules))


#: what each count counts, the start of its rule in the method
WHAT_IS_COUNTED = {
    "offences": "Crimes recorded under {classification}",
    "mentions": "Crimes {classes_phrase}whose circumstances (the officer\u2019s summary) mention "
    "{terms}",
    "victims": "People recorded as a victim of a crime under {classification}",
    "suspects": "People recorded as a suspect of a crime under {classification}",
    "people_charged": "People charged under the offence {codes}",
    "charges": "Charges laid under the offence {codes}",
}


#: the start of a crime count's rule where it names no classes (every crime, of any class)
EVERY_CLASS = {
    "offences": "Crimes of every Home Office class recorded",
    "victims": "People recorded as a victim of a crime of any Home Office class",
    "suspects": "People recorded as a suspect of a crime of any Home Office class",
}


#: the start of a charge count's rule where it names no codes (every charge on crimes of classes)
ANY_CODE = {
    "people_charged": "People charged with any offence",
    "charges": "Charges laid for any offence",
}


def classification_words(codes: Sequence[str], own) -> str:
    """A measure's classes after "recorded under": `Home Office classification 088/01 (meeting
    ...) and 088/02 (...)`; for more than `MANY_CLASSES`, the whole Home Office group they are
    (`any class of the Home Office group “Burglary” (all 11 of its classes)`), else their codes
    alone: a group of 264 classes with their titles filled a page."""
    from helpers.extracts.ho_classes import whole_group

    if len(codes) <= MANY_CLASSES:
        return f"Home Office classification {named_classes(list(codes), own)}"
    group = whole_group(codes)
    if group is not None:
        return (
            f"any class of the Home Office group \u201c{group}\u201d (all {len(codes)} of its "
            "classes)"
        )
    return f"any of these {len(codes)} Home Office classes: {listed(list(codes))}"


def measure_rule(params, name: str, facts: AnswerTableInfo) -> str:
    """What one measure counts, in a sentence or three: its classes or codes, terms, status,
    date and period."""
    from helpers.request.grammar import charge_code_groups, measure_classes, measure_search

    measure = params.measures[name]
    found = measure_search(name, measure, params.searches)
    searched = found[1] if found is not None else None
    codes_of_classes = measure_classes(name, measure, params.class_groups)
    own, many = params.class_titles, len(codes_of_classes) > MANY_CLASSES
    classification = classification_words(codes_of_classes, own) if codes_of_classes else ""
    groups = {key: group.codes for key, group in (params.charge_groups or {}).items()}
    codes = [c for entry in charge_code_groups(name, measure, groups).values() for c in entry]
    quoted = [f"\u201c{term}\u201d" for term in (searched.terms if searched else [])]
    # any of the terms counts a crime: "“a”, “b” or “c”"
    terms = listed(quoted, last="or")
    charges = measure.count in ("people_charged", "charges")
    # a charge count naming no codes counts every charge on a crime of its classes
    template = ANY_CODE if charges and not codes else WHAT_IS_COUNTED
    if not codes_of_classes and measure.count in EVERY_CLASS:
        template = EVERY_CLASS
    text = template[measure.count].format(
        classification=classification,
        # a list of codes ends with a comma before what the crimes mention
        classes_phrase=f"under {classification}{', ' if many else ' '}" if codes_of_classes else "",
        codes=f"code {codes[0]}" if len(codes) == 1 else f"codes {listed(codes)}",
        terms=terms,
    )
    if searched is not None and not charges and measure.count != "mentions":
        text += f", whose circumstances mention {terms}"
    if codes_of_classes and charges:
        named = (
            f"under {classification}"
            if many
            else f"as {named_classes(codes_of_classes, own, 'or')}"
        )
        text += f", on a crime classified now {named}"
    if searched is not None and charges:
        text += f"{'' if codes_of_classes else ', on a crime'} whose circumstances mention {terms}"
    text += f", {period_phrase(facts)}."
    return text + " " + " ".join(facts.notes)


#: a class's code at the start of its label in a table by class (`058/03 Criminal damage ...`)
CLASS_CODE = re.compile(r"\d{3}/\d{2}(?= |$)")


def titled_classes(params, tables: Iterable[tuple[AnswerTableInfo, pd.DataFrame]]) -> list[str]:
    """The classes the briefing titles, in order: each measure's classes, and the classes of a
    table by class, read from its labels (`tables`: each table's facts and its counts)."""
    from helpers.request.grammar import measure_classes

    codes: list[str] = []
    tables = list(tables)
    for name in dict.fromkeys(facts.measure for facts, _ in tables):
        if name in params.measures:
            codes += measure_classes(name, params.measures[name], params.class_groups)
    for facts, counts in tables:
        labels = [*(counts.index if facts.rows == "offence_class" else ())]
        labels += [*(counts.columns if facts.columns == "offence_class" else ())]
        codes += [found[0] for label in labels if (found := CLASS_CODE.match(str(label)))]
    return list(dict.fromkeys(codes))


def own_title_rule(params, tables: Iterable[tuple[AnswerTableInfo, pd.DataFrame]]) -> str | None:
    """The method's word on class titles, where the briefing titles a class as the force does (a
    profile's `class_titles`) rather than as the Home Office list does; None where it does not."""
    from helpers.briefing.narrative import own_titles_text

    return own_titles_text(titled_classes(params, tables), params.class_titles)


def measure_rules(params, released) -> dict[str, str]:
    """The method's rules: one per measure the tables used, then the crime systems, and the
    outcome groups and financial years where a table used them."""
    from helpers.briefing.narrative import systems_text

    rules: dict[str, str] = {}
    for facts in released.answers.values():
        if facts.count == REVIEW:  # its rules are under its table
            continue
        title = _sentence_start(params.measures[facts.measure].label)
        rules.setdefault(title, measure_rule(params, facts.measure, facts))
    breakdowns = {b for f in released.answers.values() for b in (f.rows, f.columns) if b}
    if "outcome_group" in breakdowns:
        grouped = "as the request asked" if params.outcome_groups else "as the Home Office does"
        rules["Outcomes"] = (
            f"The outcome recorded for each crime now, grouped {grouped}. A crime can get its "
            "outcome long after it was recorded; a crime still under investigation has none yet."
        )
    if "financial_year" in breakdowns:
        rules["Financial years"] = "A financial year runs from 1 April to 31 March."
    shown = [(facts, released.tables[name]) for name, facts in released.answers.items()]
    if (titled := own_title_rule(params, shown)) is not None:
        rules["Class titles"] = titled
    rules["Crime systems"] = systems_text(params.sources)
    return rules


def _span(start: date, end: date) -> str:
    """The days a relative period came to: `2016 to 2018`, `Jan 2016 to Dec 2018`, or the dates."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return f"{start.year} to {end.year}" if end.year > start.year else str(start.year)
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        return f"{start:%b %Y} to {end:%b %Y}"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


def period_phrase(info: AnswerTableInfo, short: bool = False) -> str:
    """A table's period in words: "in 2017" or "in 2017/18" for a whole calendar or financial
    year, "in the three complete years before 1 January 2019 (2016 to 2018)" for a period counted
    back from a date, "in 2018 up to 5 December" for a year to date, else "from 1 January 2016
    to 5 December 2018"."""
    start, end = info.period_from, info.period_to
    if info.relative_period:  # its span, unless it names its last day already ("2018 up to ...")
        named = f"{end.day} {end:%B}" in info.relative_period
        if short and not named:  # said in full before: its years, months or days alone
            whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
            return f"{'in' if whole_months else 'from'} {_span(start, end)}"
        return f"in {info.relative_period}" + ("" if named else f" ({_span(start, end)})")
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"in {start.year}"
    if (start.month, start.day, end.month, end.day) == (4, 1, 3, 31) and end.year == start.year + 1:
        return f"in {start.year}/{str(end.year)[2:]}"
    return info.period_words
