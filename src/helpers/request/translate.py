"""Today's request shape (20180075's keys: `period_from`, `charge_groups`, `search_terms`, ...)
read into the request grammar: the searches, measures and tables whose figures are today's four
tables, cell for cell and withheld cell for withheld cell (issue 21, item 3; docs/design-notes.md
"The request grammar and the first request").

`in_grammar(params)` gives the request with today's keys replaced by those of the grammar: its
own tables, if it has any, after today's four. The runner counts a request of today's shape so
(`request.steps.answer`); the briefing's words and `results.json`'s keys of today are read from
those tables (`request.steps.todays_results`, `request.steps.todays_review`).
"""

from __future__ import annotations

from typing import Any

from helpers.analysis.review_store import HUNTER_GROUP
from helpers.errors import ParameterError
from helpers.request.grammar import TODAYS_MEASURES, TODAYS_SEARCH
from helpers.request.parameters import (
    EITHER_ROW,
    HUNTER_ROW,
    LEGACY_KEYS,
    NO_HUNTER_ROW,
    VIGILANTE_ROW,
    RequestParameters,
    validate_parameters,
)

#: the first column's headings of today's tables
PEOPLE_CORNER, OFFENCES_CORNER, OUTCOMES_CORNER = "Offence", "Offences recorded", "Outcome group"
SEARCH = TODAYS_SEARCH
CHARGED, OFFENCES = TODAYS_MEASURES


def grammar_keys(params: RequestParameters) -> dict[str, Any]:
    """The grammar's keys for a request of today's shape: one search (the hunter-group one,
    reviewed under its question of today), a measure of the people charged in the charge year
    and one of the offences in the period, and today's four tables under today's names."""
    legacy = params.legacy
    search: dict[str, Any] = {
        "terms": list(legacy.search_terms),
        "question": HUNTER_GROUP,  # today's review store keeps its decisions under it
        "found_label": HUNTER_ROW,
        "not_found_label": NO_HUNTER_ROW,
        "scope": "all_crimes" if params.search_scope == "all_crimes" else "measures",
        "second_review": params.second_review,
    }
    if params.evidence_decisions:
        search["decisions_file"] = params.evidence_decisions
    year = legacy.charge_year
    # today's shape asks a question a charge group, then the hunter-group one (which a file of
    # fewer questions asks last); any questions of its own tables come after
    last = min(len(legacy.charge_groups) + 1, len(params.questions))
    return {
        "searches": {SEARCH: search},
        "measures": {
            CHARGED: {
                "count": "people_charged",
                "label": "people",
                "charge_codes": list(legacy.charge_groups),
                "period": {"from": f"{year}-01-01", "to": f"{year}-12-31"},
            },
            OFFENCES: {
                "count": "offences",
                "label": f"offences of {legacy.offence_description}",
                "classes": list(legacy.offence_classes),
                "period": {"from": legacy.period_from, "to": legacy.period_to},
            },
        },
        "tables": [
            {
                "name": "people_charged",
                "question": 1,
                "title": f"People charged in {year}, by offence",
                "measure": CHARGED,
                "rows": "charge_group",
                "corner": PEOPLE_CORNER,
                "heading": f"People charged in {year}",
                "total_label": EITHER_ROW,
                "of_whom": {"search": SEARCH, "label": VIGILANTE_ROW},
            },
            {
                "name": "offences_by_year",
                "question": last,
                "title": f"Offences of {legacy.offence_description} recorded, by year",
                "measure": OFFENCES,
                "rows": "search",
                "search": SEARCH,
                "columns": "year",
                "corner": OFFENCES_CORNER,
                "cut_labels": False,  # today's tables name a year the period cuts as a year
            },
            {
                "name": "outcomes_by_year",
                "question": last,
                "title": "Outcomes of those offences, by year recorded",
                "measure": OFFENCES,
                "rows": "outcome_group",
                "columns": "year",
                "corner": OUTCOMES_CORNER,
                "hide_empty_rows": True,
                "cut_labels": False,
            },
            {
                "name": "evidence_review",
                "question": last,
                "title": "The free-text search and its review",
                "review": SEARCH,
            },
        ],
    }


def in_grammar(params: RequestParameters) -> RequestParameters:
    """A request of today's shape as a request of the grammar (`grammar_keys`): today's four
    tables first, then its own tables, measures and searches (their names are not today's: the
    parameters refuse them, `grammar.check_todays_names`); its other keys (reference, questions,
    folders, threshold, profile, ...) as they are."""
    # the charge groups are the grammar's too (`charge_codes` names them)
    today = {key for key in LEGACY_KEYS if key != "charge_groups"}
    values = params.model_dump(exclude={*today, "search_scope"})
    todays = grammar_keys(params)
    values["searches"] = {**todays["searches"], **values["searches"]}
    values["measures"] = {**todays["measures"], **values["measures"]}
    values["tables"] = [*todays["tables"], *values["tables"]]
    return validate_parameters(values)


def readable_in_the_grammar(params: RequestParameters, where: str) -> RequestParameters:
    """A request of today's shape is read into the grammar when it is counted: read so when it
    is read (`foi-briefing check` and `run`), so that `check` refuses what the run would, in one
    line naming the file."""
    if params.has_legacy:
        try:
            in_grammar(params)
        except ParameterError as error:
            found = str(error).removeprefix("parameters: ")
            for made, todays_keys in MADE_FROM.items():  # the keys the file has, where known
                if found.startswith(f"{made}: "):
                    raise ParameterError(f"{where}: {todays_keys}{found[len(made) :]}") from None
            raise ParameterError(
                f"{where}: today's keys read into the request grammar: {found}"
            ) from None
    return params


#: the grammar's keys that today's keys make (`grammar_keys`), and the keys that make them
MADE_FROM = {
    f"measures.{CHARGED}.period": "charge_year",  # period_to is checked as itself before
}
