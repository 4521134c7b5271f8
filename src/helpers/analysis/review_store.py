"""The review store: every decision a reviewer makes about a request's evidence, kept where no run
replaces it.

One file per request, `<log folder>/reviews/<reference>.jsonl`, beside the disclosure log
(`helpers.disclosure.log.log_folder`: `--log`, `FOI_LOG_DIR`, the synthetic extracts' own log for
them, else the force's), so reviews made on a synthetic extract never feed a run on a real one.
Append-only JSON Lines: one decision a line (who decided what, when, about which crime's text and
which question), a changed mind is a new line and the latest wins. Each line is written whole in
one `write` under the file's lock, flushed and fsynced; the file is its owner's only (or
`FOI_SHARE_GROUP`'s, as the restricted outputs). Restricted: it names crimes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.errors import DecisionsError
from helpers.permissions import OWNER_ONLY, access, private_file, private_folder
from helpers.request.parameters import REFERENCE_PATTERN

if TYPE_CHECKING:
    from helpers.request.parameters import RequestParameters

#: the question decided today: is this crime's evidence a hunter group's? (other text measures
#: get their own question, and so their own decisions in the same file)
HUNTER_GROUP = "hunter_group"
#: the folder of the stores, in the log folder
REVIEWS = "reviews"
SUFFIX = ".jsonl"
ROLES = ("first", "second")
#: the second reviewer's sample: a fifth of the first decisions, at least ten (or all if fewer)
SECOND_SHARE, SECOND_AT_LEAST = 0.2, 10
_DECISION_WORDS = {"yes": "yes", "y": "yes", "no": "no", "n": "no"}


def text_hash(text: str | None) -> str:
    """SHA-256 (hex) of a crime's text as the loader decoded it, its line endings made `\\n`
    (a text re-exported on another system is the same text); no text hashes as the empty text."""
    normal = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Decision:
    """One line of the store."""

    reference: str  # the crime's reference as on the worklist (either of a migrated crime's two)
    text_hash: str  # `text_hash` of the text the reviewer read
    decision: str  # "yes" | "no"
    reviewer: str  # name or initials
    note: str
    question: str  # HUNTER_GROUP today
    role: str  # "first" | "second" (the second reviewer's check)
    at: str  # ISO 8601 UTC time it was recorded

    @property
    def counted(self) -> bool:
        return self.decision == "yes"


_FIELDS = tuple(f.name for f in fields(Decision))


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def checked_decision(reference: str, decision: Any) -> str:
    """A reviewer's yes/no (y, n, any case) as "yes" or "no"; DecisionsError otherwise."""
    word = _DECISION_WORDS.get(str(decision).strip().lower())
    if word is None:
        raise DecisionsError(f"{reference}: decision must be yes or no (got {decision!r})")
    return word


def checked_reviewer(reviewer: Any) -> str:
    """The reviewer's name or initials, stripped: required, one line of text."""
    name = str(reviewer if reviewer is not None else "").strip()
    if not name:
        raise DecisionsError("reviewer: say who made these decisions (name or initials)")
    if _has_control(name):
        raise DecisionsError(f"reviewer: {name!r} holds a control character (a name is one line)")
    return name


def checked_note(note: Any) -> str:
    """An optional note, stripped; line breaks and tabs kept as spaces, other control characters
    refused (a note is read in a table)."""
    text = " ".join(str(note if note is not None else "").split())
    if _has_control(text):
        raise DecisionsError(f"note: {text[:40]!r} holds a control character")
    return text


def checked_word(key: str, value: Any, allowed: tuple[str, ...] | None = None) -> str:
    """A question or role: a non-empty word (letters, digits, _), one of `allowed` if given."""
    text = str(value).strip()
    if not text or not all(c.isalnum() or c == "_" for c in text) or not text.isascii():
        raise DecisionsError(f"{key}: {value!r} is not a name (letters, digits and _)")
    if allowed is not None and text not in allowed:
        raise DecisionsError(f"{key}: must be one of {', '.join(allowed)} (got {value!r})")
    return text


def checked_crime(reference: Any) -> str:
    """A crime's reference: non-empty, one line."""
    text = str(reference if reference is not None else "").strip()
    if not text or _has_control(text):
        raise DecisionsError(f"reference: {reference!r} is not a crime reference")
    return text


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def second_review_size(first_decisions: int) -> int:
    """How many first decisions a second reviewer checks: a fifth (rounded up), at least ten, all
    if there are fewer."""
    return min(first_decisions, max(SECOND_AT_LEAST, math.ceil(first_decisions * SECOND_SHARE)))


def draw_rank(seed: str, reference: str) -> str:
    """A crime's place in the second reviewer's draw: SHA-256 of the seed and its reference.
    The same for every run and machine, and a crime keeps its place as decisions are added, so
    the sample mostly grows rather than changes."""
    return hashlib.sha256(f"{seed}\0{reference}".encode()).hexdigest()


class ReviewStore:
    """One request's decisions (`for_request`): append with `record`, read with `latest`."""

    def __init__(self, path: Path, seed: str = ""):
        self.path = Path(path)
        self.seed = seed or self.path.stem  # the request's reference
        self._read: tuple[bytes, list[Decision]] = (b"", [])  # the file's bytes, parsed

    @classmethod
    def for_request(cls, log_folder: Path, reference: str) -> ReviewStore:
        """The store of request `reference` in the log folder `log_folder`; creates nothing until
        the first `record`."""
        if not REFERENCE_PATTERN.fullmatch(str(reference)):
            raise DecisionsError(f"{reference!r} is not a request reference")
        return cls(Path(log_folder) / REVIEWS / f"{reference}{SUFFIX}", seed=str(reference))

    # -- writing

    def record(
        self,
        reference: str,
        text: str | None,
        decision: str,
        reviewer: str,
        note: str = "",
        question: str = HUNTER_GROUP,
        role: str = "first",
    ) -> Decision:
        """Append one decision about the crime `reference`, whose text the reviewer read is
        `text`; DecisionsError (one line) for a bad decision, reviewer, question or role, or a
        second decision by the reviewer who made the first."""
        reference = checked_crime(reference)
        made = Decision(
            reference=reference,
            text_hash=text_hash(text),
            decision=checked_decision(reference, decision),
            reviewer=checked_reviewer(reviewer),
            note=checked_note(note),
            question=checked_word("question", question),
            role=checked_word("role", role, ROLES),
            at=now(),
        )
        if made.role == "second":
            first = self.latest(made.question, "first").get(reference)
            if first is not None and first.reviewer.casefold() == made.reviewer.casefold():
                raise DecisionsError(
                    f"{reference}: the second review is another reviewer's "
                    f"({made.reviewer} made the first decision)"
                )
        self._append(json.dumps(asdict(made), ensure_ascii=False, sort_keys=True) + "\n")
        return made

    def _append(self, line: str) -> None:
        given = access()
        if not self.path.parent.is_dir():
            if not self.path.parent.parent.is_dir():  # the log folder: the log's, owner-only
                private_folder(self.path.parent.parent, OWNER_ONLY)
            private_folder(self.path.parent, given)
        data = line.encode("utf-8", "surrogatepass")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # two reviewers' clicks at once: one line each
            written = 0
            while written < len(data):  # one write for a line this size; looped to be sure
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)  # and with it the lock
        private_file(self.path, given)

    # -- reading

    @contextlib.contextmanager
    def _shared(self) -> Iterator[bytes]:
        """The file's bytes, read under a shared lock (never half a line being appended)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            yield b""
            return
        except OSError as error:
            raise DecisionsError(
                f"{self.path}: cannot read the review store ({error.strerror})"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            with os.fdopen(os.dup(fd), "rb") as file:
                data = file.read()
        finally:
            os.close(fd)
        yield data

    def decisions(self) -> list[Decision]:
        """Every line, in the order recorded; DecisionsError naming the file and line of the
        first damaged one (the store is restored from its backup, never guessed at)."""
        with self._shared() as data:
            if data != self._read[0]:  # parsed once for the bytes read: a run asks several times
                self._read = (
                    data,
                    [
                        _parse(self.path, number, line)
                        for number, line in enumerate(data.split(b"\n"), start=1)
                        if line.strip()
                    ],
                )
            return list(self._read[1])

    def latest(self, question: str = HUNTER_GROUP, role: str = "first") -> dict[str, Decision]:
        """The latest decision for each crime reference (a changed mind is a later line)."""
        found: dict[str, Decision] = {}
        for decision in self.decisions():
            if decision.question == question and decision.role == role:
                found[decision.reference] = decision
        return found

    def second_review_sample(self, question: str = HUNTER_GROUP) -> list[str]:
        """The crimes a second reviewer checks, in the order drawn: of the crimes with a first
        decision, the `second_review_size` whose `draw_rank` (seeded by the request's reference)
        comes first."""
        firsts = sorted(self.latest(question, "first"))
        ranked = sorted(firsts, key=lambda reference: draw_rank(self.seed, reference))
        return ranked[: second_review_size(len(firsts))]

    def disagreements(self, question: str = HUNTER_GROUP) -> list[tuple[Decision, Decision]]:
        """(first, second) decisions about one crime that differ, unless a first decision made
        after the second settles it (the first reviewer decided again, having seen it)."""
        first: dict[str, tuple[int, Decision]] = {}
        second: dict[str, tuple[int, Decision]] = {}
        for position, decision in enumerate(self.decisions()):
            if decision.question == question:
                chosen = first if decision.role == "first" else second
                chosen[decision.reference] = (position, decision)
        return [
            (first[ref][1], checked)
            for ref, (at, checked) in second.items()
            if ref in first and first[ref][0] < at and first[ref][1].decision != checked.decision
        ]

    def state(self, question: str = HUNTER_GROUP) -> dict[str, Any]:
        """What the store held when read, for a run's restricted manifest: its file's SHA-256,
        its lines, and the counts of `question`'s decisions (no crime is named)."""
        with self._shared() as data:
            digest = hashlib.sha256(data).hexdigest() if data else None
        firsts = self.latest(question)
        return {
            "file": f"{REVIEWS}/{self.path.name}",
            "sha256": digest,
            "lines": len(self.decisions()),
            "decided": len(firsts),
            "decided_yes": sum(d.counted for d in firsts.values()),
            "second_reviewed": len(self.latest(question, role="second")),
            "open_disagreements": len(self.disagreements(question)),
        }


def _parse(path: Path, number: int, line: bytes) -> Decision:
    """One line of the store as a Decision; DecisionsError naming the file and line."""
    where = f"{path}: line {number}"
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DecisionsError(
            f"{where}: damaged ({type(error).__name__}): restore the review store from its backup"
        ) from None
    if not isinstance(data, dict) or set(data) != set(_FIELDS):
        raise DecisionsError(
            f"{where}: not a review decision (its keys must be {', '.join(_FIELDS)}): "
            "restore the review store from its backup"
        )
    if data["decision"] not in ("yes", "no") or data["role"] not in ROLES:
        raise DecisionsError(f"{where}: decision or role not as recorded: restore it from backup")
    if not all(isinstance(data[name], str) for name in _FIELDS):
        raise DecisionsError(f"{where}: a value is not text: restore it from its backup")
    return Decision(**data)


def log_folder_for(params: RequestParameters, log: Path | str | None = None) -> Path:
    """The log folder a run of these parameters uses (`helpers.disclosure.log.log_folder`: `log`,
    else `FOI_LOG_DIR`, else the synthetic extracts' own or the force's), for the notebooks."""
    from helpers.disclosure.log import log_folder  # the same rule as the runner's, not a copy

    return log_folder(str(log) if log else None, params.extracts_path)


def store_for(params: RequestParameters, log: Path | str | None = None) -> ReviewStore:
    """The review store a run of these parameters reads."""
    return ReviewStore.for_request(log_folder_for(params, log), params.reference)


# ---- what a run says of its review (the runner reads it from results.json: no data library)


def review_lines(summary: Mapping[str, Any]) -> list[tuple[bool, str]]:
    """What a run says of its review in its log and to the user, one line each, with whether it
    is a warning; counts only (the crimes are listed in restricted/results.json). A search of
    the request grammar (`search` in the summary) is named in each line."""
    candidates, reviewed = summary["candidates"], summary["reviewed"]
    said = _review_of(summary)
    worklist = summary.get("worklist") or "restricted/evidence_candidates.csv"
    store = f"the review store ({summary['store']['file']})"
    named = summary.get("file")
    sources = f"{summary['from_store']:,} from {store}"
    if named:
        sources += f", {summary['from_file']:,} from {named}"
    lines = [
        (
            False,
            f"{said}: {reviewed:,} of {candidates:,} candidate(s) reviewed ({sources}); "
            f"{summary['overturned']:,} change the search's call",
        )
    ]
    where = f"{store} and {named}" if named else store
    unreviewed = "candidate(s) not yet reviewed: counted as the search called them"
    warnings = [
        (summary["not_yet_reviewed"], f"{unreviewed} ({worklist})"),
        (
            len(summary["review_again"]),
            "decision(s) made on a text that has changed since: not used, to be reviewed again "
            "(marked on the worklist)",
        ),
        (
            len(summary["conflicts"]),
            f"crime(s) decided differently in {where}: the later decision used "
            "(listed in restricted/results.json)",
        ),
        (len(summary["not_on_worklist"]), "decision(s) for crimes not on the worklist: not used"),
        (
            len(summary["disagreements"]),
            "open disagreement(s) between the first and the second reviewer: the first decision "
            "used until the two settle it (a new first decision); --strict stops the run",
        ),
    ]
    lines += [(True, f"{said}: {count:,} {text}") for count, text in warnings if count]
    second = summary["second_review"]
    if second["asked"] and second["checked"] < second["sample"]:
        lines.append(
            (
                True,
                f"{said}: second review asked for: {second['sample'] - second['checked']} of its "
                f"sample of {second['sample']} decision(s) still to check",
            )
        )
    return lines


def _review_of(summary: Mapping[str, Any]) -> str:
    """How a run's lines name a review: a search of the request grammar by its name."""
    return f"review of {summary['search']}" if summary.get("search") else "review"


def review_details(summary: Mapping[str, Any]) -> list[str]:
    """The crimes behind the warnings, for the run's restricted log only."""
    said = _review_of(summary)
    lines = [f"{said}: to review again (text changed): {ref}" for ref in summary["review_again"]]
    lines += [f"{said}: conflict: {conflict}" for conflict in summary["conflicts"]]
    lines += [f"{said}: open disagreement: {pair}" for pair in summary["disagreements"]]
    return lines
