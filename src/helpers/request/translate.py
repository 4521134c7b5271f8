"""Today's request shape (20180075's keys: `period_from`, `charge_groups`, `search_terms`, ...)
read into the request grammar: the searches, measures and tables whose figures are today's four
tables, cell for cell and withheld cell for withheld cell (issue 21, item 3; docs/design-notes.md
"The request grammar and the first request").

`in_grammar(params)` gives the request with today's keys replaced by those of the grammar. The
runner does not use it yet: the briefing's text and `results.json`'s keys of today are still made
from `Figures` and `EvidenceFindings` (`request.steps.count`, `request.steps.search`).
"""

from __future__ import annotations

from typing import Any

from helpers.analysis.review_store import HUNTER_GROUP
from helpers.errors import ParameterError
from helpers.request.parameters import (
    EITHER_ROW,
    HUNTER_ROW,
    LEGACY_KEYS,
    NO_HUNTER_ROW,
    VIGILANTE_ROW,
    RequestParameters,
    validate_parameters,
)

#: the first column's headings of today's tables (`request.tables.release_tables`)
PEOPLE_CORNER, OFFENCES_CORNER, OUTCOMES_CORNER = "Offence", "Offences recorded", "Outcome group"
#: the search's name, and the question its decisions are kept under in the review store
SEARCH = HUNTER_GROUP


def grammar_keys(params: RequestParameters) -> dict[str, Any]:
    """The grammar's keys for a request of today's shape: one search (the hunter-group one,
    reviewed under its question of today), a measure of the people charged in the charge year
    and one of the offences in the period, and today's four tables under today's names."""
    legacy = params.legacy
    search: dict[str, Any] = {
        "terms": list(legacy.search_terms),
        "question": SEARCH,
        "found_label": HUNTER_ROW,
        "not_found_label": NO_HUNTER_ROW,
        "scope": "all_crimes" if params.search_scope == "all_crimes" else "measures",
        "second_review": params.second_review,
    }
    if params.evidence_decisions:
        search["decisions_file"] = params.evidence_decisions
    year = legacy.charge_year
    last = len(params.questions)  # the hunter-group question comes last in today's shape
    return {
        "searches": {SEARCH: search},
        "measures": {
            "charged": {
                "count": "people_charged",
                "label": "people",
                "charge_codes": list(legacy.charge_groups),
                "period": {"from": f"{year}-01-01", "to": f"{year}-12-31"},
            },
            "offences": {
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
                "measure": "charged",
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
                "measure": "offences",
                "rows": "search",
                "search": SEARCH,
                "columns": "year",
                "corner": OFFENCES_CORNER,
            },
            {
                "name": "outcomes_by_year",
                "question": last,
                "title": "Outcomes of those offences, by year recorded",
                "measure": "offences",
                "rows": "outcome_group",
                "columns": "year",
                "corner": OUTCOMES_CORNER,
                "hide_empty_rows": True,
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
    """A request of today's shape as a request of the grammar (`grammar_keys`): its other keys
    (reference, questions, folders, threshold, profile, ...) as they are. A request with tables
    of the grammar beside today's keys is not read so (its own measures and searches would be
    lost): ParameterError."""
    if params.tables or params.measures or params.searches:
        raise ParameterError(
            "tables: a request with today's keys and tables of its own is not read into the "
            "grammar: give it its tables alone"
        )
    # the charge groups are the grammar's too (`charge_codes` names them)
    today = {key for key in LEGACY_KEYS if key != "charge_groups"}
    values = params.model_dump(exclude={*today, "search_scope", "tables", "measures"})
    values.update(grammar_keys(params))
    return validate_parameters(values)
