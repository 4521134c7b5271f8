"""The gate: read the release (or its tables), run every rule over it, report.

`check_release` runs at the end of every run over every file under `OUT/<reference>/release/`,
the manifest included (`helpers.run.request.seal_release` writes the manifest, then calls it);
`check_tables` runs the same rules on the tables alone (the notebook calls it, or `write_tables`,
before it writes them, so a direct papermill run cannot leave unchecked tables behind). A report
with any finding fails the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.gate.readers import (
    HTML_SUFFIXES,
    Content,
    Markup,
    Segment,
    read_path,
    read_tables,
    read_xlsx_bytes,
    release_files,
    table_csv,
)
from helpers.gate.report import RULE_NAMES, Finding, GateReport
from helpers.gate.rules.active_content import ActiveContentRule
from helpers.gate.rules.base import Context, Rule
from helpers.gate.rules.copied_text import CopiedTextRule
from helpers.gate.rules.external_link import ExternalLinkRule
from helpers.gate.rules.identifier import IdentifierRule
from helpers.gate.rules.name_with_dob import NameWithDobRule
from helpers.gate.rules.small_count import SmallCountRule
from helpers.gate.rules.spreadsheet_formula import SpreadsheetFormulaRule
from helpers.gate.sensitive import Sensitive
from helpers.request.parameters import THRESHOLD_RANGE, THRESHOLD_RULE

#: the leak rules, in the order they start: those that read the release alone, then those that
#: ask the extract (side by side). A report lists a file's findings in `RULE_NAMES` order.
RULES: tuple[Rule, ...] = (
    SmallCountRule(),
    ExternalLinkRule(),
    SpreadsheetFormulaRule(),
    ActiveContentRule(),
    IdentifierRule(),
    NameWithDobRule(),
    CopiedTextRule(),
)


def _check_threshold(threshold: int) -> int:
    """A guard: the parameters' schema is the rule users meet (`THRESHOLD_RANGE`)."""
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, np.integer))
        or not THRESHOLD_RANGE.start <= threshold < THRESHOLD_RANGE.stop
    ):
        raise ValueError(f"threshold must be {THRESHOLD_RULE}, not {threshold!r}")
    return int(threshold)


def _run_rules(contents: list[Content], context: Context) -> GateReport:
    """Every rule over the contents; without `context.sensitive`, only the rules that read the
    release alone."""
    per_content: list[list[Finding]] = [list(c.findings) for c in contents]

    def add(found: list[list[Finding]]) -> None:
        for i, findings in enumerate(found):
            per_content[i] += findings

    # the look-ups in the extract side by side: each is mostly Arrow and numpy work, outside
    # Python's lock, and after a run's notebook the other core is free
    asking = [rule for rule in RULES if rule.reads_extract]
    with ThreadPoolExecutor(len(asking)) as pool:  # its threads start at the first look-up
        running = []
        for rule in RULES:
            if not rule.reads_extract:  # quick: here, first
                add(rule.check(contents, context))
            elif context.sensitive is not None:
                running.append(pool.submit(rule.check, contents, context))
        for done in running:  # in the rules' order, whichever ends first
            add(done.result())
    order = {rule: k for k, rule in enumerate(RULE_NAMES)}
    findings = [f for group in per_content for f in sorted(group, key=lambda f: order[f.rule])]
    return GateReport(findings=findings, files_checked=[c.file for c in contents])


def check_tables(
    tables: Mapping[str, pd.DataFrame] | Sequence[Path | str],
    threshold: int,
    sensitive: Sensitive | None,
) -> GateReport:
    """The gate on released tables alone: DataFrames (name -> frame, checked as `table_csv`
    writes them) or CSV files. Without `sensitive`, only the rules that read the release alone
    run (small counts, links, formulas, active content)."""
    threshold = _check_threshold(threshold)
    return _run_rules(read_tables(tables), Context(threshold, sensitive))


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    folder: Path,
    threshold: int,
    sensitive: Sensitive | None,
    workbook: tuple[Path, bytes] | None = None,
) -> GateReport:
    """Check the tables, and the workbook of them if given (its path and bytes), in one pass;
    then write each table as `<folder>/<name>.csv` and the workbook (whole or not at all,
    `write_whole`). Raise ReleaseGateError (and write nothing) if the gate finds anything."""
    threshold = _check_threshold(threshold)
    contents = read_tables(tables)
    if workbook is not None:
        contents.append(read_xlsx_bytes(workbook[1], Path(workbook[0]).name))
    report = _run_rules(contents, Context(threshold, sensitive)).raise_if_failed()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        filename = name if str(name).endswith(".csv") else f"{name}.csv"
        (folder / filename).write_text(table_csv(frame), encoding="utf-8", newline="")
    if workbook is not None:
        write_whole(Path(workbook[0]), workbook[1])
    return report


def write_whole(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: to a hidden file beside it, then renamed (a run stopped
    half-way leaves no half-written file by that name)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def check_release(
    release_dir: Path,
    threshold: int,
    sensitive: Sensitive,
    also: Mapping[str, Path] | None = None,
    prefix: str | None = None,
) -> GateReport:
    """The gate on every file under `release/`: run it last, after the manifest is written.
    `also`: other release folders checked in the same pass, their files named under the given
    prefix; `prefix`: the release's own files named under it."""
    threshold = _check_threshold(threshold)
    release_dir = Path(release_dir)
    if not release_dir.is_dir():
        return GateReport(
            [
                Finding(
                    release_dir.name or str(release_dir),
                    "unreadable",
                    "the release folder does not exist",
                )
            ],
            [],
        )
    contents = [
        read_path(path, "/".join(filter(None, (prefix, path.relative_to(release_dir).as_posix()))))
        for path in release_files(release_dir)
    ]
    for prefix, folder in (also or {}).items():
        contents += [
            read_path(path, f"{prefix}/{path.relative_to(folder).as_posix()}")
            for path in release_files(Path(folder))
        ]
    return _run_rules(contents, Context(threshold, sensitive))


#: words of the draft's page kept either side of its mark when only the mark's neighbourhood is
#: gated (`check_draft`): a rule looks at most 15 words either side of a date of birth
#: (`NAME_WINDOW`) and at 8 words in a row (`COPY_RUN`); four times the widest, to spare
DRAFT_CONTEXT_WORDS = 60
#: a word of the page for that count: a run of non-spaces with an ASCII letter or digit, which
#: every rule's normalised text still holds as at least one word of its own
_CONTEXT_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")


def check_draft(
    draft_dir: Path,
    clean_dir: Path,
    clean_name: str,
    mark: str,
    threshold: int,
    sensitive: Sensitive,
) -> GateReport:
    """The gate on a run's draft (`draft_dir`, published nowhere until it is released) and its
    clean copy (`clean_dir`, the release to publish, its files named under `clean_name`): the
    report of `check_release` on both in one pass, without gating the page twice.

    The clean copy is gated in full, and in the same pass what of the draft can differ from it:
    a draft file that is its clean copy byte for byte is not gated again; a page that is its
    clean copy but for one insertion of `mark` can hold nothing the clean copy does not but in
    and around the mark, and that is what is gated of it: the mark and `DRAFT_CONTEXT_WORDS`
    words of the page either side (`_around_insertion`); any other file that differs is gated
    whole (the manifest: it lists the draft page's hash). Anything found gates both in full, so
    a report with findings is the full gate's."""
    threshold = _check_threshold(threshold)
    draft_dir, clean_dir = Path(draft_dir), Path(clean_dir)
    full = lambda: check_release(draft_dir, threshold, sensitive, also={clean_name: clean_dir})  # noqa: E731
    if not draft_dir.is_dir() or not clean_dir.is_dir():
        return full()
    draft_files, clean_files = release_files(draft_dir), release_files(clean_dir)
    names = [path.relative_to(draft_dir).as_posix() for path in draft_files]
    if names != [path.relative_to(clean_dir).as_posix() for path in clean_files]:
        return full()
    clean = [
        read_path(path, f"{clean_name}/{name}")
        for path, name in zip(clean_files, names, strict=True)
    ]
    parts = [
        _draft_part(path, clean_path, name, mark, content)
        for path, clean_path, name, content in zip(
            draft_files, clean_files, names, clean, strict=True
        )
    ]
    report = _run_rules(
        clean + [part for part in parts if part is not None], Context(threshold, sensitive)
    )
    if not report.passed:
        return full()
    return GateReport([], names + [content.file for content in clean])


def _draft_part(
    draft: Path, clean: Path, name: str, mark: str, clean_content: Content
) -> Content | None:
    """What of a draft file must be gated besides its clean copy (read as `clean_content`):
    nothing (None) if the two are the same bytes; the mark and the page around it if the draft
    is the clean page with `mark` inserted once; else the whole file."""
    try:
        draft_bytes, clean_bytes = draft.read_bytes(), clean.read_bytes()
    except OSError:
        return read_path(draft, name)  # says why it cannot be read
    if draft_bytes == clean_bytes:
        return None
    inserted = mark.encode("utf-8")
    at = draft_bytes.find(inserted)
    drafted = read_path(draft, name)
    if (
        at < 0
        or draft_bytes[:at] + draft_bytes[at + len(inserted) :] != clean_bytes
        or Path(name).suffix.lower() not in HTML_SUFFIXES
        or drafted.findings
        or clean_content.findings
        or len(drafted.segments) != len(clean_content.segments)
    ):
        return drafted
    segments = [
        _around_insertion(d, o)
        for d, o in zip(drafted.segments, clean_content.segments, strict=True)
        if d.text != o.text
    ]
    return Content(name, segments, markup=[Markup("html", mark)])


def _around_insertion(draft: Segment, clean: Segment) -> Segment:
    """The part of a draft's segment that is not its clean copy's (one insertion), with
    `DRAFT_CONTEXT_WORDS` words either side; where it is in the draft file as `draft` says."""
    text, other = draft.text, clean.text
    start = _common(len(text), len(other), lambda n: text[:n] == other[:n])
    room = min(len(text), len(other)) - start  # the common end must not reach into it
    same_end = lambda n: text[len(text) - n :] == other[len(other) - n :]  # noqa: E731
    end = len(text) - _common(room, room, same_end)
    before = [m.start() for m in _CONTEXT_WORD.finditer(text, 0, start)]
    after = [m.end() for m in _CONTEXT_WORD.finditer(text, end)]
    lo = before[-DRAFT_CONTEXT_WORDS] if len(before) >= DRAFT_CONTEXT_WORDS else 0
    hi = after[DRAFT_CONTEXT_WORDS - 1] if len(after) >= DRAFT_CONTEXT_WORDS else len(text)
    if draft.marks is None:  # lines: counted from where the piece starts
        return Segment(text[lo:hi], None, draft.line0 + text.count("\n", 0, lo))
    marks = [(max(offset - lo, 0), label) for offset, label in draft.marks if offset < hi]
    kept = [m for k, m in enumerate(marks) if k + 1 == len(marks) or marks[k + 1][0] > 0]
    return Segment(text[lo:hi], kept)


def _common(a: int, b: int, same) -> int:
    """The longest n <= min(a, b) for which `same(n)` (true up to some n, false after): a binary
    search, each step one comparison of slices."""
    lo, hi = 0, min(a, b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if same(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def check_index(index_path: Path, threshold: int, name: str | None = None) -> GateReport:
    """The gate on the disclosure log's public index (`index.html`): the rules that read a
    release file alone (it lists published releases and links to their files; it holds no figure
    of the extract's)."""
    threshold = _check_threshold(threshold)
    index_path = Path(index_path)
    return _run_rules([read_path(index_path, name or index_path.name)], Context(threshold, None))
