"""The gate: read the release (or its tables), run every rule over it, report.

`check_release` runs at the end of every run over every file under `OUT/<reference>/release/`,
the manifest included (`helpers.run.request.seal_release` writes the manifest, then calls it);
`check_tables` runs the same rules on the tables alone (the notebook calls it, or `write_tables`,
before it writes them, so a direct papermill run cannot leave unchecked tables behind). A report
with any finding fails the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.gate.readers import Content, read_path, read_tables, release_files, table_csv
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
    tables: Mapping[str, pd.DataFrame], folder: Path, threshold: int, sensitive: Sensitive | None
) -> GateReport:
    """Check the tables, then write each as `<folder>/<name>.csv`; raise ReleaseGateError (and
    write nothing) if the gate finds anything."""
    report = check_tables(tables, threshold, sensitive).raise_if_failed()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        filename = name if str(name).endswith(".csv") else f"{name}.csv"
        (folder / filename).write_text(table_csv(frame), encoding="utf-8", newline="")
    return report


def check_release(
    release_dir: Path,
    threshold: int,
    sensitive: Sensitive,
    also: Mapping[str, Path] | None = None,
) -> GateReport:
    """The gate on every file under `release/`: run it last, after the manifest is written.
    `also`: other release folders checked in the same pass (a run's release to publish beside
    its draft), their files named under the given prefix."""
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
        read_path(path, path.relative_to(release_dir).as_posix())
        for path in release_files(release_dir)
    ]
    for prefix, folder in (also or {}).items():
        contents += [
            read_path(path, f"{prefix}/{path.relative_to(folder).as_posix()}")
            for path in release_files(Path(folder))
        ]
    return _run_rules(contents, Context(threshold, sensitive))


def check_index(index_path: Path, threshold: int, name: str | None = None) -> GateReport:
    """The gate on the disclosure log's public index (`index.html`): the rules that read a
    release file alone (it lists published releases and links to their files; it holds no figure
    of the extract's)."""
    threshold = _check_threshold(threshold)
    index_path = Path(index_path)
    return _run_rules([read_path(index_path, name or index_path.name)], Context(threshold, None))
