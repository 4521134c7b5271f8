"""The briefing's sections, in reading order, for a request of any shape.

The briefing notebook shows one section a cell: the request and the answer, the offences and
their outcomes, how we counted, the data's quality, disclosure control. A request of the first
request's shape (people charged and a free-text search, `params.legacy`) has its six tables; a
request in the grammar (`tables:`) has its own tables, numbered in the order of its questions,
then the two data-quality tables. A request with both shows the first request's sections, then
its own tables last, under "More of your request".
"""

from __future__ import annotations

from helpers.briefing import answers, narrative, report
from helpers.briefing.charts import chart_description, offences_and_outcomes_chart
from helpers.briefing.report import Html

OUTCOMES_NOTE = (
    "Outcomes as recorded on the date of the extract, grouped as the Home Office publishes them."
)
CHART_NOTE = (
    "The same figures as Table 3. Outcome groups withheld to protect small numbers are drawn "
    "together, hatched."
)
#: the first request's tables: people charged, offences, outcomes, the search, data quality
LEGACY_TABLES = 6


def _legacy(params) -> bool:
    return bool(params.has_legacy)


def _answers(released) -> list:
    return list(released.answers.values())


def request_and_answer(params, released) -> Html:
    """The masthead, the key facts, the request and our answer (with the answer's tables)."""
    if not _legacy(params):
        return report.parts(
            report.masthead(params),
            answers.key_facts(_answers(released), released.tables),
            answers.request_and_answer(
                params.questions,
                _answers(released),
                released.tables,
                params.disclosure_threshold,
                params.review_minutes_per_record,
            ),
        )
    return report.parts(
        report.masthead(params),
        narrative.key_facts(params, released),
        narrative.request_and_answer(params, released),
        report.table_html(
            released.tables["people_charged"],
            released.titles["people_charged"],
            number=1,
            notes=narrative.people_table_notes(params),
        ),
    )


def offences_and_outcomes(params, released) -> Html:
    """The first request's offences, outcomes and chart (a request in the grammar has its tables
    in its answer)."""
    if not _legacy(params):
        return report.parts()
    return report.parts(
        narrative.offences_intro(params),
        report.table_html(
            released.tables["offences_by_year"], released.titles["offences_by_year"], number=2
        ),
        report.table_html(
            released.tables["outcomes_by_year"],
            released.titles["outcomes_by_year"],
            number=3,
            notes=[OUTCOMES_NOTE],
        ),
        report.figure_html(
            offences_and_outcomes_chart(released),
            narrative.chart_caption(params),
            alt=chart_description(released),
            number=1,
            notes=[CHART_NOTE],
        ),
    )


def more_of_the_request(params, released) -> Html:
    """A request of the first request's shape with tables of its own: those tables last,
    numbered after the first request's six, their figures after its one."""
    if not released.answers:
        return report.parts()
    return report.parts(
        report.section("More of your request", raw=True),
        answers.tables_and_charts(
            _answers(released), released.tables, first_table=LEGACY_TABLES + 1, first_figure=2
        ),
    )


def method(params, released, reviewed) -> Html:
    """How we counted (and, for the first request's shape, how we searched: `reviewed`, the
    hunter-group search and its review, `steps.todays_review`)."""
    if not _legacy(params):
        return answers.method(answers.measure_rules(params, released))
    return report.parts(
        narrative.method(params),
        narrative.evidence_method(params, released, reviewed),
        report.table_html(
            released.tables["evidence_review"], released.titles["evidence_review"], number=4
        ),
    )


def data_quality(params, released) -> Html:
    """The records read and set aside, and how the systems' records were combined (and, for a
    request of the first request's shape with tables of its own, those tables)."""
    first = 5 if _legacy(params) else len(released.answers) + 1
    return report.parts(
        narrative.data_quality(params, released, first_table=first),
        report.table_html(
            released.tables["data_quality_files"],
            released.titles["data_quality_files"],
            number=first,
        ),
        report.table_html(
            released.tables["data_quality_merging"],
            released.titles["data_quality_merging"],
            number=first + 1,
        ),
        more_of_the_request(params, released) if _legacy(params) else report.parts(),
    )


def protection_and_colophon(params, released) -> Html:
    return report.parts(narrative.disclosure_note(params, released), narrative.colophon(params))
