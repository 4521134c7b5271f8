"""The reviewer's screen in JupyterLab (`notebooks/evidence_review.ipynb`): one candidate at a time,
least certain first, its text with the search's matches marked, the search's call and why, and
buttons yes / no / skip (keys y, n, s through ipyevents), a note and the reviewer's initials.

Each click is recorded in the request's review store at once (`ReviewStore.record`): closing the
tab loses nothing, and opening the notebook again starts at the first candidate still undecided.
ipywidgets and ipyevents draw it; no JavaScript of ours. The handlers (`decide`, `skip`, `key`,
`show`) are plain methods, so the tests drive the screen without a browser.
Restricted: it shows circumstances text and crime references.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from helpers.analysis import review
from helpers.analysis.review_store import HUNTER_GROUP, ReviewStore, text_hash
from helpers.errors import DecisionsError

#: the keys that decide (ipyevents' `key` of a keydown): lower or upper case
KEYS = {"y": "yes", "n": "no", "s": "skip"}


def why(candidate: pd.Series) -> str:
    """The search's call for one worklist row, and why, in words (HTML-escaped)."""
    call = review.search_call(pd.Series([candidate["kind"]])).iloc[0]
    matched = str(candidate["matched"])
    term = str(candidate["term"])
    found = f"“{matched}” for the term “{term}”" if matched and matched != term else f"“{term}”"
    reason = {
        "negated": f"every mention is negated, as {found}",
        "fuzzy": f"a near spelling: {found}",
    }.get(str(candidate["kind"]), f"it mentions {found}")
    terms = str(candidate["terms"])
    return html.escape(
        f"{call}: {reason}" + (f" (terms found: {terms})" if terms and terms != term else "")
    )


def undecided(references: list[str], hashes: dict[str, str], decided: dict[str, Any]) -> list[str]:
    """The references without a decision on their current text, in worklist order: a decision
    made on a text that changed since is asked again."""
    return [
        reference
        for reference in references
        if reference not in decided or decided[reference].text_hash != hashes[reference]
    ]


def progress_text(total: int, left: int, position: int | None) -> str:
    """The progress line: how many are left, and which candidate is shown."""
    if position is None:
        return f"All {total} candidates decided. Decide one again with ◀ and ▶."
    return f"Candidate {position + 1} of {total}: {left} of {total} still to decide."


class ReviewScreen:
    """The review of one request's worklist, recorded in `store` as `reviewer` (typed in its
    initials field).

    `candidates`: the worklist (`review.read_candidates`), least certain first; `texts`:
    reference -> the text as the loader decoded it (what the decision's hash is of; missing: the
    worklist's saved context is shown); `marked`: reference -> that text as HTML with its matches
    marked (`review.highlighted_texts`).
    """

    def __init__(
        self,
        store: ReviewStore,
        candidates: pd.DataFrame,
        texts: pd.Series,
        marked: pd.Series,
        reviewer: str = "",
        role: str = "first",
        question: str = HUNTER_GROUP,
    ):
        self.store = store
        self.question = question
        self.role = role
        # the second reviewer's: the seeded sample only (the notebook's worklist is that already)
        self.rows = review.worklist_for(candidates, store, role, question).reset_index(drop=True)
        self.references = self.rows["reference"].astype(str).tolist()
        self.texts = {ref: _text(texts, ref) for ref in self.references}
        self.marked = {ref: _text(marked, ref) for ref in self.references}
        self.hashes = {ref: text_hash(self.texts[ref]) for ref in self.references}
        self.decided = {
            ref: made
            for ref, made in store.latest(question, role).items()
            if ref in self.hashes and made.text_hash == self.hashes[ref]
        }
        left = undecided(self.references, self.hashes, self.decided)
        self.position: int | None = self.references.index(left[0]) if left else None
        self._build(reviewer)
        self.show(self.position)

    # ---- the widgets

    def _build(self, reviewer: str) -> None:
        # loaded here: only the notebook draws widgets (the runner and the tests of the rules
        # never import them)
        import ipywidgets as widgets
        from ipyevents import Event

        self.progress = widgets.HTML()
        self.heading = widgets.HTML()
        self.call = widgets.HTML()
        self.text = widgets.HTML(layout=widgets.Layout(max_width="48rem"))
        self.card = widgets.VBox(
            [self.heading, self.call, self.text],
            layout=widgets.Layout(border="1px solid #b1b4b6", padding="0.5rem 1rem"),
        )
        self.initials = widgets.Text(
            value=str(reviewer), description="Initials", placeholder="your name or initials"
        )
        self.note = widgets.Text(description="Note", placeholder="optional, kept with the decision")
        self.yes = widgets.Button(description="Yes (y)", button_style="success", tooltip="count it")
        self.no = widgets.Button(
            description="No (n)", button_style="danger", tooltip="do not count it"
        )
        self.skip_button = widgets.Button(description="Skip (s)", tooltip="decide later")
        self.back = widgets.Button(description="◀", tooltip="the previous candidate")
        self.forward = widgets.Button(description="▶", tooltip="the next candidate")
        self.message = widgets.HTML()
        self.yes.on_click(lambda _: self.decide("yes"))
        self.no.on_click(lambda _: self.decide("no"))
        self.skip_button.on_click(lambda _: self.skip())
        self.back.on_click(lambda _: self.step(-1))
        self.forward.on_click(lambda _: self.step(1))
        # the keys act while the pointer is over the candidate (ipyevents gives it the focus
        # then), never while typing in the note or initials
        self.keys = Event(source=self.card, watched_events=["keydown"])
        self.keys.on_dom_event(self.key)
        self.widget = widgets.VBox(
            [
                self.progress,
                widgets.HTML(LEGEND),
                self.card,
                widgets.HBox([self.yes, self.no, self.skip_button, self.back, self.forward]),
                widgets.HBox([self.initials, self.note]),
                self.message,
            ]
        )
        self.widget.add_class("foi-review")

    # ---- what the reviewer does

    def show(self, position: int | None) -> None:
        """Show candidate `position` (None: every candidate decided) and the progress."""
        left = len(undecided(self.references, self.hashes, self.decided))
        self.position = position
        self.progress.value = (
            f"<b>{html.escape(progress_text(len(self.references), left, position))}</b>"
        )
        buttons = (self.yes, self.no, self.skip_button)
        if position is None:
            self.heading.value = self.call.value = self.text.value = ""
            for button in buttons:
                button.disabled = True
            return
        for button in buttons:
            button.disabled = False
        row = self.rows.iloc[position]
        reference = self.references[position]
        earlier = self.decided.get(reference)
        decided = (
            f" · decided <b>{html.escape(earlier.decision)}</b> by {html.escape(earlier.reviewer)}"
            + (f" ({html.escape(earlier.note)})" if earlier.note else "")
            if earlier
            else ""
        )
        self.heading.value = (
            f'<h3 style="margin:0.2rem 0">{html.escape(reference)}</h3>'
            f"<small>{html.escape(str(row['year']))}, {html.escape(str(row['in_scope_as']))}"
            f"{decided}</small>"
        )
        self.call.value = f'<p style="margin:0.3rem 0"><b>Search\'s call:</b> {why(row)}</p>'
        text = self.marked[reference]
        self.text.value = (
            f'<div style="{TEXT_STYLE}">{review.styled_marks(text)}</div>'
            if text is not None
            else f'<div style="{TEXT_STYLE}"><small>(text not in these extracts; saved '
            f"context)</small> {html.escape(str(row['context']))}</div>"
        )

    def decide(self, decision: str) -> None:
        """Record `decision` ("yes"/"no") on the candidate shown, at once, and show the next one
        still to decide; a missing name or a bad value is shown in one line, nothing recorded."""
        if self.position is None:
            return
        reference = self.references[self.position]
        try:
            made = self.store.record(
                reference,
                self.texts[reference],
                decision,
                self.initials.value,
                self.note.value,
                question=self.question,
                role=self.role,
            )
        except DecisionsError as error:
            self.message.value = f'<span style="color:#d4351c">{html.escape(str(error))}</span>'
            return
        self.decided[reference] = made
        self.note.value = ""
        self.message.value = html.escape(f"{reference}: {made.decision}, recorded.")
        self.show(self.next_undecided(self.position))

    def skip(self) -> None:
        """Leave the candidate shown undecided and show the next one still to decide."""
        if self.position is not None:
            self.message.value = html.escape(f"{self.references[self.position]}: skipped.")
            self.show(self.next_undecided(self.position))

    def step(self, by: int) -> None:
        """Show the previous (-1) or next (+1) candidate, decided or not."""
        at = (
            self.position if self.position is not None else (len(self.references) if by < 0 else -1)
        )
        target = at + by
        if 0 <= target < len(self.references):
            self.show(target)

    def key(self, event: dict[str, Any]) -> None:
        """A keydown from ipyevents: y, n or s as the buttons; any other key does nothing."""
        action = KEYS.get(str(event.get("key", "")).lower())
        if event.get("type") != "keydown" or action is None:
            return
        if action == "skip":
            self.skip()
        else:
            self.decide(action)

    def next_undecided(self, after: int) -> int | None:
        """The first candidate still to decide after `after`, wrapping round; None if none is."""
        left = set(undecided(self.references, self.hashes, self.decided))
        order = [*range(after + 1, len(self.references)), *range(0, after + 1)]
        return next((position for position in order if self.references[position] in left), None)


TEXT_STYLE = "white-space:pre-wrap;line-height:1.5;font-size:1rem;text-align:left"

#: the legend, drawn with the marks' own inline styles (`review.MARK_STYLES`)
LEGEND = (
    "<small>"
    + " · ".join(
        f'<mark style="{review.MARK_STYLES[kind]}">{label}</mark>'
        for kind, label in (
            ("exact", "a mention the search counts"),
            ("fuzzy", "a near spelling it counts"),
            ("negated", "a negated mention it does not count"),
        )
    )
    + "</small>"
)


def _text(values: pd.Series, reference: str) -> str | None:
    value = values.get(reference)
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def review_screen(
    store: ReviewStore,
    candidates: pd.DataFrame,
    texts: pd.Series,
    marked: pd.Series,
    reviewer: str = "",
    role: str = "first",
    question: str = HUNTER_GROUP,
) -> ReviewScreen:
    """The notebook's one call: the screen for this worklist (display `.widget`), its decisions
    recorded under `question` (a text measure's own, `review.review_target`); with role
    "second", the second review's sample only, recorded as the second reviewer's."""
    return ReviewScreen(store, candidates, texts, marked, reviewer, role, question)
