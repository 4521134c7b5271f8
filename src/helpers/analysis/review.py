"""The manual review of evidence-search matches: the worklist, the reviewer's decisions, the cost.

The search (`helpers.analysis.evidence`) proposes; a reviewer decides. The worklist
(`restricted/evidence_candidates.csv`) has one row per crime with a match or a negated match; the
reviewer fills in the decisions file named by the `evidence_decisions` parameter (columns
`reference`, `decision` yes/no, `reviewer`, `note`), and the figures then use those decisions.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers.errors import DecisionsError
from helpers.markup import Html
from helpers.permissions import access, private_file, private_folder, private_open

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
    for column in ("reviewer", "note"):
        if column not in frame:
            frame[column] = ""
    return frame.drop_duplicates("reference")[
        ["reference", "counted", "reviewer", "note"]
    ].set_index("reference")


@dataclass(frozen=True)
class ReviewOutcome:
    """What the reviewer's decisions changed."""

    counted: frozenset[str]  # crime IDs counted after review
    reviewed: int  # candidates with a decision
    overturned: int  # decisions that differ from the search's own call
    unmatched_decisions: list[str]  # decisions for references that are not candidates


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
    return ReviewOutcome(
        counted=frozenset(final.index[final]),
        reviewed=int(has_decision.sum()),
        overturned=int((has_decision & (decided.fillna(False).astype(bool) != searched)).sum()),
        unmatched_decisions=unmatched,
    )


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


def read_candidates(path: Path) -> pd.DataFrame:
    """The worklist a run wrote (`restricted/evidence_candidates.csv`), as text."""
    if not path.is_file():
        raise DecisionsError(
            f"{path}: no worklist here: run the request first (foi-briefing run PARAMS.yaml)"
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


def keep_decisions(params: RequestParameters, restricted: Path) -> Path | None:
    """Keep a copy of the decisions file a run used in that run's restricted folder.

    A run replaces the request's whole output folder when it publishes, so a decisions file kept
    at `restricted/evidence_decisions.csv` would be lost at the next run without this copy; the
    copy also records which decisions the run's figures used.
    """
    if not params.evidence_decisions:
        return None
    source = params.path(params.evidence_decisions)
    assert source is not None  # evidence_decisions is set
    target = Path(restricted) / DECISIONS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and target.resolve() == source.resolve():
        return target
    shutil.copyfile(source, target)
    return private_file(target)


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
