"""The manual review of evidence-search matches: the worklist, the reviewer's decisions, the cost.

The search (`helpers.analysis.evidence`) proposes; a reviewer decides. The worklist
(`restricted/evidence_candidates.csv`) has one row per crime with a match or a negated match; the
reviewer's decisions go to the request's review store (`helpers.analysis.review_store`), which a
run reads by itself; a decisions file named by the `evidence_decisions` parameter (a review done
elsewhere: columns `reference`, `decision` yes/no, `reviewer`, `note`, optionally `at` and
`text_hash`) is read as well (`decisions_for_run`), and the figures then use those decisions.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers.analysis import evidence
from helpers.analysis.review_store import HUNTER_GROUP, Decision, ReviewStore, text_hash
from helpers.errors import DecisionsError
from helpers.markup import Html
from helpers.permissions import access, private_file, private_folder, private_open
from helpers.project import project_root

if TYPE_CHECKING:
    from helpers.request.parameters import RequestParameters

#: FOI Act s12 and the Fees Regulations 2004: 18 hours at £25 an hour for a police force
S12_LIMIT_HOURS = 18.0

DECISION_COLUMNS = ["reference", "decision", "reviewer", "note"]
CANDIDATE_COLUMNS = [
    "reference",
    "year",
    "in_scope_as",
    "kind",
    "term",
    "matched",
    "context",
    "terms",
    "decision",
    "reviewer",
    "note",
]


def read_decisions(path: Path) -> pd.DataFrame:
    """The reviewer's decisions: reference -> yes/no, with reviewer and note."""
    if not path.is_file():
        raise DecisionsError(f"{path}: evidence decisions file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise DecisionsError(
            f"{path.name}: the file is empty "
            "(expected a header: reference, decision, reviewer, note)"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DecisionsError(
            f"{path.name}: not a readable CSV file ({str(error).splitlines()[0]})"
        ) from None
    missing = [column for column in ("reference", "decision") if column not in frame.columns]
    if missing:
        raise DecisionsError(f"{path.name}: missing column {', '.join(repr(c) for c in missing)}")
    frame = frame[frame["decision"].str.strip() != ""].copy()  # rows not yet decided
    decision = (
        frame["decision"]
        .str.strip()
        .str.lower()
        .map({"yes": True, "y": True, "no": False, "n": False})
    )
    bad = decision.isna()
    if bad.any():
        line = int(bad[bad].index[0]) + 2  # the file's own line: the header is line 1
        raise DecisionsError(
            f"{path.name}: line {line}: decision must be yes or no "
            f"(got {frame['decision'][bad].iloc[0]!r})"
        )
    frame["reference"] = frame["reference"].str.strip()
    repeated = frame["reference"].duplicated(keep=False) & ~frame.duplicated(
        ["reference", "decision"], keep=False
    )
    if repeated.any():
        raise DecisionsError(
            f"{path.name}: {frame['reference'][repeated].iloc[0]} has conflicting decisions"
        )
    frame["counted"] = decision
    for column in ("reviewer", "note", "text_hash"):
        if column not in frame:
            frame[column] = ""
    # when each was decided: its own `at` if the file says, else when the file was last written
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="microseconds")
    if "at" not in frame:
        frame["at"] = written
    frame["at"] = [
        decision_time(value, f"{path.name}: line {int(row) + 2}") or written  # header: line 1
        for row, value in zip(frame.index.tolist(), frame["at"].astype(str), strict=True)
    ]
    return frame.drop_duplicates("reference")[
        ["reference", "counted", "reviewer", "note", "at", "text_hash"]
    ].set_index("reference")


def decision_time(value: str, where: str) -> str:
    """A decision's time as ISO 8601 UTC ("" if not given); DecisionsError naming `where`."""
    if not str(value).strip():
        return ""
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise DecisionsError(
            f"{where}: at must be a date and time such as 2026-12-05T09:30:00 (got {value!r})"
        ) from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class ReviewOutcome:
    """What the reviewer's decisions changed."""

    counted: frozenset[str]  # crime IDs counted after review
    reviewed: int  # candidates with a decision
    overturned: int  # decisions that differ from the search's own call
    unmatched_decisions: list[str]  # decisions for references that are not candidates
    decided: frozenset[str] = frozenset()  # crime IDs of the candidates with a decision
    changed: frozenset[str] = frozenset()  # of those, the decisions unlike the search's call


def apply_decisions(candidates: pd.DataFrame, decisions: pd.DataFrame | None) -> ReviewOutcome:
    """The crimes counted: the search's call, except where a reviewer decided otherwise.

    `candidates`: one row per crime with a match (index crime ID, bool column `counted`).
    """
    searched = candidates["counted"].astype(bool)
    if decisions is None or decisions.empty:
        return ReviewOutcome(frozenset(searched.index[searched]), 0, 0, [])
    decided = decisions["counted"].reindex(searched.index)
    has_decision = decided.notna()
    final = searched.where(~has_decision, decided.fillna(False).astype(bool))
    unmatched = sorted(set(decisions.index) - set(searched.index))
    changed = has_decision & (decided.fillna(False).astype(bool) != searched)
    return ReviewOutcome(
        counted=frozenset(final.index[final]),
        reviewed=int(has_decision.sum()),
        overturned=int(changed.sum()),
        unmatched_decisions=unmatched,
        decided=frozenset(searched.index[has_decision]),
        changed=frozenset(searched.index[changed]),
    )


# ---- the decisions a run uses: the request's review store, and the file its YAML names
#
# A decision is matched to a crime on the worklist by the reference it was recorded under (a
# migrated crime's own or its legacy reference) and used only if the crime's text is still the
# text the reviewer read (`review_store.text_hash`); where the store and the file both decide a
# crime, the later decision wins and the two are listed as a conflict.

#: the run's record of the decisions its figures used (`restricted/evidence_decisions.csv`): a
#: decisions file a later run can also be given
USED_COLUMNS = [*DECISION_COLUMNS, "at", "source", "recorded_as", "text_hash"]
STORE_SOURCE = "review store"


@dataclass(frozen=True)
class RunReview:
    """The decisions a run uses and what it says about the review (results.json, the run log)."""

    # index: crime ID on the worklist; USED_COLUMNS but reference, and bool `counted` (as
    # `apply_decisions` takes them)
    used: pd.DataFrame
    review_again: dict[str, dict[str, str]] = field(default_factory=dict)  # crime ID -> decision
    conflicts: list[dict[str, str]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # references decided, not on the worklist
    disagreements: list[dict[str, str]] = field(default_factory=list)
    second_review: dict[str, Any] = field(default_factory=dict)
    store: dict[str, Any] = field(default_factory=dict)  # ReviewStore.state()
    from_store: int = 0
    from_file: int = 0
    file: str | None = None  # the named file's name


def crime_aliases(crimes: pd.DataFrame) -> dict[str, str]:
    """Each reference a crime is known by -> its crime ID: its own, and for a crime migrated from
    the older system its legacy reference too (a decision made before the migration)."""
    own = crimes["crime_id"].astype("string")
    legacy = crimes["legacy_ref"].astype("string")
    aliases = {str(ref).strip(): str(ref) for ref in own}
    aliases.update(
        {str(old).strip(): str(ref) for old, ref in zip(legacy, own, strict=True) if pd.notna(old)}
    )
    return aliases


def stored_rows(latest: Mapping[str, Decision]) -> list[dict[str, str]]:
    """The store's latest first decisions as rows of the run's decisions."""
    return [
        {
            "recorded_as": d.reference,
            "decision": d.decision,
            "reviewer": d.reviewer,
            "note": d.note,
            "at": d.at,
            "text_hash": d.text_hash,
            "source": STORE_SOURCE,
        }
        for d in latest.values()
    ]


def file_rows(decisions: pd.DataFrame, source: str) -> list[dict[str, str]]:
    """A decisions file (`read_decisions`) as rows of the run's decisions."""
    return [
        {
            "recorded_as": str(reference),
            "decision": "yes" if row["counted"] else "no",
            "reviewer": str(row["reviewer"]),
            "note": str(row["note"]),
            "at": str(row["at"]),  # (`row.at` is pandas' accessor)
            "text_hash": str(row["text_hash"]).strip(),
            "source": source,
        }
        for reference, row in decisions.iterrows()
    ]


def latest_by_crime(
    rows: Iterable[dict[str, str]], aliases: Mapping[str, str]
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Each crime's latest row (two of a migrated crime's references decided: the later), and
    the references that are no crime on the worklist."""
    latest: dict[str, dict[str, str]] = {}
    unmatched = []
    for row in rows:
        crime = aliases.get(row["recorded_as"].strip())
        if crime is None:
            unmatched.append(row["recorded_as"])
        elif crime not in latest or row["at"] > latest[crime]["at"]:
            latest[crime] = row
    return latest, unmatched


def later_wins(
    store: Mapping[str, dict[str, str]], named: Mapping[str, dict[str, str]]
) -> tuple[dict[str, dict[str, str]], list[dict[str, str]]]:
    """Each crime's decision: the later of the store's and the file's (the store's on a tie);
    a crime the two decide differently is a conflict, listed with the one used."""
    chosen: dict[str, dict[str, str]] = {}
    conflicts = []
    for crime in sorted({*store, *named}):
        mine, theirs = store.get(crime), named.get(crime)
        chosen[crime] = max(
            (row for row in (mine, theirs) if row is not None), key=lambda row: row["at"]
        )
        if mine is not None and theirs is not None and mine["decision"] != theirs["decision"]:
            conflicts.append(
                {
                    "reference": crime,
                    "store": f"{mine['decision']} ({mine['reviewer']}, {mine['at']})",
                    "file": f"{theirs['decision']} ({theirs['reviewer']}, {theirs['at']})",
                    "used": chosen[crime]["source"],
                }
            )
    return chosen, conflicts


def text_changed(row: Mapping[str, str], current: str) -> bool:
    """A decision made on another text than the crime's now (a decision without a hash, from a
    file made elsewhere, is taken as made on this text)."""
    return bool(row["text_hash"]) and row["text_hash"] != current


def second_review_progress(
    store: ReviewStore, asked: bool, aliases: Mapping[str, str], question: str = HUNTER_GROUP
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Whether a second review was asked for and made, how far it has gone on its sample, and
    its open disagreements (the first decision is used meanwhile)."""
    sample = store.second_review_sample(question)
    checked = store.latest(question, role="second")
    open_ = [
        {
            "reference": first.reference,
            "on_worklist_as": aliases.get(first.reference, ""),
            "first": f"{first.decision} ({first.reviewer}, {first.at})",
            "second": f"{second.decision} ({second.reviewer}, {second.at})",
        }
        for first, second in store.disagreements(question)
    ]
    progress = {
        "asked": bool(asked),
        "made": bool(checked),
        "sample": len(sample),
        "checked": sum(reference in checked for reference in sample),
        "open_disagreements": len(open_),
    }
    return progress, open_


def decisions_for_run(
    texts: pd.Series,
    aliases: Mapping[str, str],
    store: ReviewStore,
    named: pd.DataFrame | None = None,
    named_source: str = "",
    second_review: bool = False,
    question: str = HUNTER_GROUP,
) -> RunReview:
    """The decisions a run uses for the worklist's crimes (`texts`: each one's text, by crime
    ID): the store's latest first decisions and the named file's (`read_decisions`), the later
    one where both decide a crime; a decision made on a text that has changed since is not used
    but listed to be reviewed again."""
    from_store, unmatched = latest_by_crime(stored_rows(store.latest(question)), aliases)
    from_file, unmatched_file = latest_by_crime(
        file_rows(named, named_source) if named is not None else [], aliases
    )
    chosen, conflicts = later_wins(from_store, from_file)
    hashes = {
        crime: text_hash(None if pd.isna(text) else str(text)) for crime, text in texts.items()
    }
    again = {
        crime: row for crime, row in chosen.items() if text_changed(row, hashes.get(crime, ""))
    }
    used = pd.DataFrame(
        [{"reference": crime, **row} for crime, row in chosen.items() if crime not in again],
        columns=["reference", *USED_COLUMNS[1:]],
    ).set_index("reference")
    used["counted"] = used["decision"].eq("yes")
    progress, open_ = second_review_progress(store, second_review, aliases, question)
    return RunReview(
        used=used,
        review_again=again,
        conflicts=conflicts,
        unmatched=sorted(set(unmatched) | set(unmatched_file)),
        disagreements=open_,
        second_review=progress,
        store=store.state(question),
        from_store=int(used["source"].eq(STORE_SOURCE).sum()),
        from_file=int(used["source"].ne(STORE_SOURCE).sum()),
        file=named_source or None,
    )


def worklist(
    scope: pd.DataFrame,
    mentions: pd.DataFrame,
    by_crime: pd.DataFrame,
    reviewed: RunReview | None,
) -> pd.DataFrame:
    """The worklist: one row per crime with a match or a negated match (`by_crime`, indexed by
    crime ID), the least certain first, with the first mention of its deciding kind, why it was
    searched (`scope`: year, in_scope_as, circumstances) and the decision the run used."""
    if by_crime.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    # the crime's first mention of its deciding kind shows the reviewer where to look
    first = mentions.merge(
        by_crime[["kind"]].reset_index(), on=["crime_ref", "kind"]
    ).drop_duplicates("crime_ref")
    sheet = by_crime.join(first.set_index("crime_ref")[["term", "matched", "context"]]).join(
        scope[["year", "in_scope_as"]]
    )
    # a text read only in its first words says so where the reviewer reads the crime
    partly = sheet.index.isin(evidence.searched_in_part(scope["circumstances"]))
    sheet.loc[partly, "in_scope_as"] += (
        f"; its text searched in its first {evidence.WORD_LIMIT:,} words only"
    )
    sheet = sheet.sort_values(["certainty", "year"], kind="stable").reset_index(names="reference")
    for column in ("decision", "reviewer", "note"):
        sheet[column] = ""
    if reviewed is not None:
        decisions = reviewed.used
        known = sheet["reference"].isin(decisions.index)
        lookup = decisions.reindex(sheet["reference"])
        for column in ("decision", "reviewer", "note"):
            sheet.loc[known, column] = lookup[column].to_numpy()[known.to_numpy()]
        # a decision made on a text changed since: not used, and the reviewer is told so
        again = sheet["reference"].map(reviewed.review_again)
        changed = again.notna()
        sheet.loc[changed, "note"] = again[changed].map(review_again_note)
    return sheet[CANDIDATE_COLUMNS]


def review_again_note(row: Mapping[str, str]) -> str:
    """The worklist's note on a decision whose text has changed since it was made."""
    return (
        f"TEXT CHANGED since {row['reviewer']} decided {row['decision']} ({row['at'][:10]}): "
        "not used; decide again"
    )


def used_decisions_csv(run: RunReview) -> pd.DataFrame:
    """The run's record of the decisions its figures used, as `restricted/evidence_decisions.csv`
    (a decisions file: another run may be given it)."""
    return run.used.reset_index()[USED_COLUMNS].astype(str)


def review_summary(run: RunReview, outcome: ReviewOutcome, candidates: int) -> dict[str, Any]:
    """The review, for `restricted/results.json` (it names crimes: restricted)."""
    return {
        "store": run.store,
        "file": run.file,
        "candidates": candidates,
        "reviewed": outcome.reviewed,
        "overturned": outcome.overturned,
        "not_yet_reviewed": candidates - outcome.reviewed - len(run.review_again),
        "from_store": run.from_store,
        "from_file": run.from_file,
        "conflicts": run.conflicts,
        "review_again": sorted(run.review_again),
        "not_on_worklist": run.unmatched,
        "second_review": run.second_review,
        "disagreements": run.disagreements,
    }


@dataclass(frozen=True)
class ReviewCost:
    records: int
    minutes_per_record: float

    @property
    def hours(self) -> float:
        return self.records * self.minutes_per_record / 60

    @property
    def within_s12_limit(self) -> bool:
        return self.hours <= S12_LIMIT_HOURS


# ---- the reviewer's notebook (`notebooks/evidence_review.ipynb`)
#
# The reviewer reads each candidate's circumstances with the search's matches marked, decides yes
# or no, and the notebook writes the decisions file beside the run's other restricted outputs.
# Everything here handles circumstances text and crime references: restricted, never released.

CANDIDATES_FILE = "evidence_candidates.csv"
DECISIONS_FILE = "evidence_decisions.csv"
_DECISION_WORDS = {"yes": "yes", "y": "yes", "no": "no", "n": "no"}


def restricted_folder(params: RequestParameters) -> Path:
    """The request's restricted folder: `<output_dir>/<reference>/restricted/`."""
    return params.request_output_path / "restricted"


def decisions_path(params: RequestParameters) -> Path:
    """Where the review notebook writes the decisions: the request's restricted folder, and where
    `evidence_decisions` should point for the next run."""
    return restricted_folder(params) / DECISIONS_FILE


def run_again_command(
    parameters_file: str, extracts_dir: str = "", output_dir: str = "", log_dir: str = ""
) -> str:
    """The command that runs the request again on what the review read: the same extracts,
    output folder and log folder as the notebook was given (a run with none of them reads the
    file's own, and another review store), from the project's folder (where the parameters
    file's path and the file's own folders are read from)."""
    words = [".venv/bin/foi-briefing", "run", parameters_file]
    for option, value in (("--extracts", extracts_dir), ("--out", output_dir), ("--log", log_dir)):
        if str(value or "").strip():
            words += [option, str(value)]
    command = " ".join(shlex.quote(word) for word in words)
    return f"cd {shlex.quote(str(project_root()))} && {command}"


def search_worklist(search: str) -> str:
    """A search's worklist, in the run's `restricted/` folder."""
    return f"candidates/{search}.csv"


@dataclass(frozen=True)
class ReviewTarget:
    """The search a reviewer reviews: the hunter-group search, or one of the request grammar's
    (a name in `searches`, or a measure with its own `terms`), each with its own worklist and
    its own decisions in the request's store."""

    question: str  # the review store's question the decisions are recorded under
    worklist: Path  # the run's worklist of it
    terms: tuple[str, ...]
    exclude: tuple[str, ...] = ()

    def mentions(self, texts: pd.Series) -> pd.DataFrame:
        """The search's mentions in `texts` (by crime ID), to mark where the reviewer reads."""
        return evidence.find_mentions_outside(texts, self.terms, self.exclude)[0]


def review_target(params: RequestParameters, search: str = "") -> ReviewTarget:
    """What the review notebook reviews: the search named (`search`), else (or named
    `hunter_group`) the request's hunter-group search. ParameterError in one line naming what
    there is to review."""
    from helpers.errors import ParameterError
    from helpers.request.grammar import request_searches

    known = request_searches(params.measures, params.searches)
    name = str(search or "").strip()
    if name == HUNTER_GROUP and params.search_terms:  # today's request names its search so
        name = ""
    if not name:
        if params.search_terms:
            folder = restricted_folder(params)
            return ReviewTarget(HUNTER_GROUP, folder / CANDIDATES_FILE, tuple(params.search_terms))
        raise ParameterError(
            f"search: {params.reference} has no hunter-group search; name the search to "
            f"review, one of: {', '.join(known) or 'none (no measure searches the texts)'}"
        )
    if name not in known:
        raise ParameterError(
            f"search: {name!r} is not a search of {params.reference} (a name in searches, or a "
            f"measure with its own terms); its searches: {', '.join(known) or 'none'}"
        )
    return ReviewTarget(
        known[name].review_question(name),
        restricted_folder(params) / search_worklist(name),
        tuple(known[name].terms),
        tuple(known[name].exclude_terms),
    )


def read_candidates(path: Path) -> pd.DataFrame:
    """The worklist a run wrote (`restricted/evidence_candidates.csv`), as text."""
    if not path.is_file():
        raise DecisionsError(
            f"{path}: no worklist here: run the request first (foi-briefing run PARAMS.yaml), "
            "or, for a run made with --out DIR, give this notebook -p output_dir DIR"
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [column for column in CANDIDATE_COLUMNS if column not in frame.columns]
    if missing:
        raise DecisionsError(f"{path.name}: missing column {', '.join(repr(c) for c in missing)}")
    return frame[CANDIDATE_COLUMNS]


def search_call(kind: pd.Series) -> pd.Series:
    """What the search decided for each candidate: counted, unless its only mentions are negated."""
    return kind.map(
        lambda k: "not counted (negated)" if k == "negated" else f"counted ({k} match)"
    ).rename("search's call")


def highlight(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text`, HTML-escaped, with each `(start, end, kind)` span inside `<mark class="kind">`.

    Overlapping or touching spans are marked as one (with the first span's kind; a `negated` span
    wins, so a reviewer sees the negation). Spans outside the text are clipped.
    """
    import html  # here, not at the top: the request step imports this module and shows no HTML

    ordered = sorted(
        (max(0, int(s)), min(len(text), int(e)), str(k)) for s, e, k in spans if int(e) > int(s)
    )
    merged: list[list[Any]] = []  # [start, end, kind]
    for start, end, kind in ordered:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] = "negated" if "negated" in (kind, merged[-1][2]) else merged[-1][2]
        else:
            merged.append([start, end, kind])
    pieces, at = [], 0
    for start, end, kind in merged:
        pieces.append(html.escape(text[at:start]))
        pieces.append(f'<mark class="{html.escape(kind)}">{html.escape(text[start:end])}</mark>')
        at = end
    pieces.append(html.escape(text[at:]))
    return "".join(pieces)


def highlighted_texts(texts: pd.Series, mentions: pd.DataFrame) -> pd.Series:
    """Each text (index: reference) as HTML with every mention (`evidence.find_mentions`) marked.

    One string per candidate: the worklist is the search's handful of matches, not the extract.
    """
    spans = mentions.groupby("crime_ref", sort=False)[["start", "end", "kind"]].apply(
        lambda m: list(m.itertuples(index=False, name=None))
    )
    return pd.Series(
        [
            highlight(str(text), spans.get(reference, []))
            for reference, text in texts.fillna("").items()
        ],
        index=texts.index,
        name="text",
        dtype="object",
    )


def decisions_frame(decisions: pd.DataFrame | None) -> pd.DataFrame:
    """`read_decisions`'s result back as the file's columns (reference, decision yes/no,
    reviewer, note)."""
    if decisions is None or decisions.empty:
        return pd.DataFrame(columns=DECISION_COLUMNS, dtype="object")
    frame = decisions.reset_index()
    frame["decision"] = frame["counted"].map({True: "yes", False: "no"})
    return frame[DECISION_COLUMNS].astype(str).reset_index(drop=True)


def read_existing_decisions(path: Path) -> pd.DataFrame:
    """The decisions already in the file (none if there is no file yet), as the file's columns."""
    return decisions_frame(read_decisions(path)) if path.is_file() else decisions_frame(None)


def _decision_word(reference: str, value: Any) -> tuple[str, str]:
    """A reviewer's entry, `"yes"` or `("no", "a council team, not a hunter group")`, as
    (decision, note)."""
    decision, note = (
        (value[0], value[1] if len(value) > 1 else "")
        if isinstance(value, (tuple, list))
        else (value, "")
    )
    word = _DECISION_WORDS.get(str(decision).strip().lower())
    if word is None:
        raise DecisionsError(f"{reference}: decision must be yes or no (got {decision!r})")
    return word, str(note).strip()


def merge_decisions(
    existing: pd.DataFrame | None, new: dict, reviewer: str, candidates: pd.DataFrame
) -> pd.DataFrame:
    """The decisions file's rows after this review: `existing` rows, overridden by `new` ones.

    `new`: reference -> "yes"/"no" (or "y"/"n"), or (decision, note). Every new reference must be on
    the worklist, and a reviewer must be named. Rows are in worklist order; earlier decisions for
    references no longer on the worklist are kept at the end (the run reports them as unmatched).
    """
    existing = decisions_frame(None) if existing is None else existing[DECISION_COLUMNS].astype(str)
    if new and not str(reviewer).strip():
        raise DecisionsError("reviewer: say who made these decisions (name or initials)")
    unknown = sorted(set(map(str, new)) - set(candidates["reference"]))
    if unknown:
        raise DecisionsError(f"{unknown[0]}: not on the worklist (check the reference)")
    entries = {
        str(reference).strip(): _decision_word(reference, value) for reference, value in new.items()
    }
    fresh = pd.DataFrame(
        {
            "reference": list(entries),
            "decision": [decision for decision, _ in entries.values()],
            "reviewer": str(reviewer).strip(),
            "note": [note for _, note in entries.values()],
        },
        columns=DECISION_COLUMNS,
    )
    merged = pd.concat(
        [existing.loc[~existing["reference"].isin(fresh["reference"])], fresh], ignore_index=True
    )
    order = pd.Series(range(len(candidates)), index=candidates["reference"].to_numpy())
    position = merged["reference"].map(order).fillna(len(candidates))
    return (
        merged.assign(_order=position)
        .sort_values("_order", kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
        .astype(str)
    )


def review_parameters(
    parameters_file: str, extracts_dir: str = "", output_dir: str = ""
) -> RequestParameters:
    """The request a review is of: its parameters file (required: a review of another request's
    worklist would be recorded against it), with the run's extracts and output folder if given
    (else the file's own). ParameterError in one line naming the parameter."""
    from helpers.errors import ParameterError
    from helpers.project import project_path
    from helpers.request.parameters import read_parameters

    if not str(parameters_file or "").strip():
        raise ParameterError(
            "parameters_file: name the request's parameters file, e.g. "
            "-p parameters_file parameters/20180075.yaml (the worklist and the decisions are "
            "that request's)"
        )
    overrides = {
        key: str(project_path(value))
        for key, value in (("extracts_dir", extracts_dir), ("output_dir", output_dir))
        if str(value or "").strip()
    }
    return read_parameters(project_path(parameters_file), overrides)


def worklist_for(
    candidates: pd.DataFrame, store: ReviewStore, role: str = "first", question: str = HUNTER_GROUP
) -> pd.DataFrame:
    """The worklist a reviewer of `role` works through: all of it for the first reviewer; for the
    second, the crimes of the seeded sample only, without the first reviewer's decisions (a check
    made blind)."""
    if role != "second":
        return candidates
    sample = set(store.second_review_sample(question))
    sheet = candidates.loc[candidates["reference"].isin(sample)].reset_index(drop=True)
    return sheet.assign(decision="", reviewer="", note="")


def stored_decisions(
    store: ReviewStore, candidates: pd.DataFrame, role: str = "first", question: str = HUNTER_GROUP
) -> pd.DataFrame:
    """The store's latest decisions of `role` for the worklist's crimes, as the decisions file's
    columns, in worklist order (what the review so far has decided)."""
    latest = store.latest(question, role)
    rows = [
        {"reference": ref, "decision": d.decision, "reviewer": d.reviewer, "note": d.note}
        for ref in candidates["reference"]
        if (d := latest.get(ref)) is not None
    ]
    return pd.DataFrame(rows, columns=DECISION_COLUMNS, dtype="object")


def record_decisions(
    store: ReviewStore,
    new: Mapping[str, Any],
    reviewer: str,
    candidates: pd.DataFrame,
    texts: pd.Series,
    role: str = "first",
    question: str = HUNTER_GROUP,
) -> list[Decision]:
    """Record a scripted review (`decisions` of the review notebook: reference -> "yes"/"no",
    or (decision, note)) in the store, each with the text the reviewer read (`texts`, by
    reference). Every entry is checked first, so a mistake records none: the reference must be
    on the worklist (for a second review, in its sample), a reviewer named."""
    if new and not str(reviewer).strip():
        raise DecisionsError("reviewer: say who made these decisions (name or initials)")
    if role == "second":  # first: the sample is the second reviewer's worklist
        sample = set(store.second_review_sample(question))
        outside = sorted(set(map(str, new)) - sample)
        if outside:
            raise DecisionsError(
                f"{outside[0]}: not in the second review's sample (second_review_sample)"
            )
    unknown = sorted(set(map(str, new)) - set(candidates["reference"]))
    if unknown:
        raise DecisionsError(f"{unknown[0]}: not on the worklist (check the reference)")
    if role == "second":
        firsts = store.latest(question)
        same = [
            ref
            for ref in new
            if ref in firsts and firsts[ref].reviewer.casefold() == str(reviewer).strip().casefold()
        ]
        if same:
            raise DecisionsError(
                f"{same[0]}: the second review is another reviewer's "
                f"({firsts[same[0]].reviewer} made the first decision)"
            )
    entries = {str(ref).strip(): _decision_word(ref, value) for ref, value in new.items()}
    return [
        store.record(ref, _text(texts.get(ref)), decision, reviewer, note, question, role)
        for ref, (decision, note) in entries.items()
    ]


def _text(value: Any) -> str | None:
    """A text of the extract as the store hashes it (none: missing)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def check_not_released(path: Path) -> Path:
    """Refuse a path inside a `release` folder: decisions name crimes and are never shared."""
    if "release" in Path(path).resolve().parts:
        raise DecisionsError(
            f"{path}: decisions are restricted and cannot be written under release/"
        )
    return path


def write_decisions(frame: pd.DataFrame, path: Path) -> Path:
    """Write the decisions file (never under release/; its owner's only, or `FOI_SHARE_GROUP`'s,
    as the run's restricted outputs) and read it back as a run will."""
    check_not_released(path)
    given = access()
    if not path.parent.is_dir():
        private_folder(path.parent, given)
    with private_open(path) as file:  # never readable by others, not even while it is written
        frame[DECISION_COLUMNS].to_csv(file, index=False)
    private_file(path, given)
    read_decisions(path)  # a file a run cannot read is an error now, not at the next run
    return path


def with_decisions(candidates: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """The worklist with the decision, reviewer and note of the decisions file where it has one
    (the worklist's own columns otherwise: the decisions the run that wrote it used)."""
    known = decisions.drop_duplicates("reference", keep="last").set_index("reference")
    sheet = candidates.copy()
    for column in ("decision", "reviewer", "note"):
        from_file = known[column].reindex(sheet["reference"]).to_numpy()
        sheet[column] = pd.Series(from_file, index=sheet.index).fillna(sheet[column]).astype(str)
    return sheet


def review_progress(candidates: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """How far the review has gone: candidates, decided, yes, no, still to decide, and how many
    decisions differ from the search's own call."""
    decided = decisions.loc[decisions["reference"].isin(candidates["reference"])].set_index(
        "reference"
    )["decision"]
    searched = (
        candidates.set_index("reference")["kind"].ne("negated").map({True: "yes", False: "no"})
    )
    rows = {
        "candidates on the worklist": len(candidates),
        "decided": len(decided),
        "decided yes (counted)": int((decided == "yes").sum()),
        "decided no (not counted)": int((decided == "no").sum()),
        "still to decide": len(candidates) - len(decided),
        "decisions that change the search's call": int(
            (decided != searched.reindex(decided.index)).sum()
        ),
    }
    return pd.DataFrame({"crimes": pd.Series(rows, dtype="int64")}).rename_axis("review")


#: each kind of match's mark, as inline styles: JupyterLab drops a `<style>` element from the
#: output of a notebook reopened from disk (not trusted), but keeps these, so a negated mention
#: never looks like a counted one, against the legend
MARK_STYLES = {
    "exact": "background:#ffdd00;color:#0b0c0c;padding:0 0.1em",
    "fuzzy": "background:#ffdd00;color:#0b0c0c;padding:0 0.1em;border-bottom:2px dotted #0b0c0c",
    "negated": (
        "background:#f3f2f1;color:#0b0c0c;padding:0 0.1em;outline:2px dashed #d4351c;"
        "text-decoration:line-through"
    ),
}


def styled_marks(fragment: str) -> str:
    """`highlight`'s HTML with each mark's style inline (`MARK_STYLES`, by its class)."""
    for kind, style in MARK_STYLES.items():
        fragment = fragment.replace(
            f'<mark class="{kind}">', f'<mark class="{kind}" style="{style}">'
        )
    return fragment


#: the worklist's columns (#, crime, the search's call, circumstances, decision) and each cell's
#: style, inline for the same reason; explicit widths, as JupyterLab lays its tables out in equal
#: columns (`table-layout: fixed`) and right-aligns their cells
_COLUMN_WIDTHS = ("2.5rem", "10rem", "12rem", "auto", "9rem")
_CELL = "text-align:left;vertical-align:top;padding:0.4rem;border-bottom:1px solid #b1b4b6"
_TABLE = "table-layout:fixed;width:100%;border-collapse:collapse;font-size:0.9rem;margin:0"


def worklist_html(candidates: pd.DataFrame, texts: pd.Series) -> Html:
    """The worklist as one HTML table: number, reference, the search's call, the text with its
    matches marked (`highlighted_texts`; the saved context where the text is not in the extract),
    and the decision so far. Restricted: it shows circumstances text."""
    import html  # here, not at the top: the request step imports this module and shows no HTML

    def escaped(values: pd.Series) -> pd.Series:
        return values.astype(str).map(html.escape)

    sheet = candidates.reset_index(drop=True)
    text = texts.reindex(sheet["reference"].to_numpy()).reset_index(drop=True)
    text = text.where(
        text.notna(),
        "<small>(text not in these extracts; saved context)</small> " + escaped(sheet["context"]),
    )
    decided = sheet["decision"].str.strip() != ""
    decision = (
        "<b>"
        + escaped(sheet["decision"])
        + "</b><br><small>"
        + escaped(sheet["reviewer"])
        + " "
        + escaped(sheet["note"])
        + "</small>"
    ).where(decided, "<small>not yet decided</small>")
    td, th = f'<td style="{_CELL}">', f'<th scope="row" style="{_CELL}">'
    rows = (
        "<tr>"
        + td
        + (sheet.index + 1).astype(str)
        + "</td>"
        + th
        + escaped(sheet["reference"])
        + "<br><small>"
        + escaped(sheet["year"])
        + ", "
        + escaped(sheet["in_scope_as"])
        + "</small></th>"
        + td
        + escaped(search_call(sheet["kind"]))
        + "<br><small>terms: "
        + escaped(sheet["terms"])
        + "</small></td>"
        + f'<td class="text" style="{_CELL};line-height:1.45;white-space:pre-wrap">'
        + text.astype(str).map(styled_marks)
        + "</td>"
        + td
        + decision
        + "</td></tr>"
    )
    columns = "".join(f'<col style="width:{width}">' for width in _COLUMN_WIDTHS)
    names = ("#", "Crime", "Search's call", "Circumstances", "Decision")
    head = "".join(f'<th scope="col" style="{_CELL}">{html.escape(name)}</th>' for name in names)
    return Html(
        f'<table class="worklist" style="{_TABLE}"><colgroup>{columns}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
