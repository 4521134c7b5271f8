"""`foi-briefing profile check`: a force profile checked on its own, then against an export.

The profile's keys are checked by its schema (`helpers.extracts.profile`). With `--extracts`,
every file's header is checked against the columns the profile names (all faults listed, not
only the first), then the first rows of each file are read through the loader itself, in a
private temporary folder removed after, and what it would set aside is reported per column with
its reason and a few of the values seen: the rules are the loader's, not a copy of them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from helpers.errors import ExtractError
from helpers.extracts.profile import read_profile
from helpers.extracts.scan import checked_header
from helpers.extracts.sheets import is_sheet, read_sheet
from helpers.extracts.sources import SourceDefinition, concrete_files
from helpers.extracts.transcode import forget_copies, is_wide, readable_path

#: the rows of each file read by `--extracts` (the loader's rules on a sample, in a second or two)
SAMPLE_ROWS = 2000
#: at most this much of a file's start is read for those rows
FIRST_BYTES = 16 * 1024 * 1024
#: reasons that link a row to rows of other files: from a file's first rows they may only say that
#: the other row is further on (a run reads every row)
LINKS = ("not found in any crimes file", "marked migrated but no", "without its original recorded")
#: the values of each column shown as examples of what would be set aside
EXAMPLES = 3


def check_profile(path: Path, extracts: Path | None, rows: int = SAMPLE_ROWS) -> list[str]:
    """The report's lines: the profile's systems, then (with `extracts`) each file's header and
    what the loader would set aside from its first `rows` records. A profile that breaks its
    schema, or is a draft with a `TODO` left, raises `ProfileError`; a header fault is a line
    starting "error:"."""
    sources = read_profile(path).sources()
    lines = [
        f"{path}: ok ({len(sources)} system{'s' * (len(sources) > 1)}: "
        + ", ".join(source.system for source in sources)
        + ")"
    ]
    if extracts is None:
        return lines
    try:
        faults = header_faults(sources, extracts)
        if faults:
            return lines + [f"error: {fault}" for fault in faults]
        return lines + set_aside_report(sources, extracts, rows)
    finally:  # the command ends with os._exit: no exit handler removes a UTF-16 file's copy
        forget_copies()


def header_faults(sources: tuple[SourceDefinition, ...], extracts: Path) -> list[str]:
    """Every file's header fault (a missing file, a missing or renamed column), not just the
    first."""
    faults = []
    for source in sources:
        for given in source.files:
            try:
                for spec in concrete_files(extracts, given):
                    checked_header(extracts, source, spec)
            except ExtractError as error:
                faults.append(f"{source.system} {given.table}: {error}")
    return faults


def set_aside_report(sources: tuple[SourceDefinition, ...], extracts: Path, rows: int) -> list[str]:
    """What the loader sets aside from the first `rows` records of each file, per file and
    column: how many, why, and the values seen."""
    from helpers.extracts.load import load_extracts  # the data libraries: only this command

    sample = Path(tempfile.mkdtemp(prefix="foi-profile-check-"))  # owner-only (0700)
    try:
        read = {
            spec.filename: first_records(extracts, source, spec.filename, sample, rows, spec.sheet)
            for source in sources
            for given in source.files
            for spec in concrete_files(extracts, given)
        }
        extract = load_extracts(sample, sources)
        unread = unread_committed_dates(sources, sample)
    except ExtractError as error:
        return [f"error: {error}"]
    finally:
        shutil.rmtree(sample, ignore_errors=True)
    lines = [
        f"read the first {rows:,} records of each file ("
        + ", ".join(f"{name}: {count:,}" for name, count in read.items())
        + ")"
    ]
    quarantine = extract.quarantine
    if quarantine.empty:
        return lines + ["nothing would be set aside"] + unread
    groups = quarantine.groupby(["file", "column", "reason"], sort=False)
    linked: list[str] = []
    for (file, column, reason), group in groups:
        values = group["value"].drop_duplicates().head(EXAMPLES)  # names and births: never read
        line = f"{file}: {column}: {len(group):,} set aside: {reason} (values seen: " + (
            ", ".join(repr(value) for value in values) + ")"
        )
        (linked if any(link in str(reason) for link in LINKS) else lines).append(line)
    if len(lines) == 1:
        lines.append("no value of any column would be set aside")
    if linked:
        lines.append(
            "links between files, which may only be rows further on than the sample read "
            "(a run reads every row):"
        )
        lines += ["  " + line for line in linked]
    return lines + unread


def unread_committed_dates(sources: tuple[SourceDefinition, ...], sample: Path) -> list[str]:
    """Each crimes file's committed dates that the loader's rule does not read
    (`committed_dates`): left empty rather than set aside, so not in the quarantine, and said
    here all the same (an age table would count their people as "Age not known")."""
    from helpers.extracts import codes
    from helpers.extracts.canonical import committed_dates
    from helpers.extracts.read import read_file

    lines = []
    for source in sources:
        for given in source.files:
            if given.table != "crimes" or "committed_at" not in given.columns:
                continue
            for spec in concrete_files(sample, given):
                raw = read_file(sample, source, spec, ["committed_at"]).data["committed_at"]
                unread = codes.invalid(raw, committed_dates(raw, source))
                if not unread.any():
                    continue
                values = [
                    str(value)[:80]  # as the quarantine keeps a value: a line, not a page
                    for value in list(dict.fromkeys(raw.filter(unread).to_pylist()))[:EXAMPLES]
                ]
                it = "it" if unread.sum() == 1 else "them"
                lines.append(
                    f"{spec.filename}: {given.columns['committed_at']}: {int(unread.sum()):,} not "
                    "read by the system's datetime_formats or date_format (values seen: "
                    + ", ".join(repr(value) for value in values)
                    + f"): a run leaves {it} empty, and says so"
                )
    return lines


def first_records(
    extracts: Path,
    source: SourceDefinition,
    name: str,
    target: Path,
    rows: int,
    sheet: str | None = None,
) -> int:
    """Copy the header and the first `rows` records of a file into `target`, byte for byte (its
    encoding and line endings as they are; a quoted field may span lines: a line feed ends a
    record only outside quotes); the records copied."""
    import numpy as np  # with the loader's libraries: only this command

    if is_sheet(name):  # a workbook is read whole: its records cannot be cut out as bytes
        shutil.copyfile(extracts / name, target / name)
        return len(read_sheet(extracts / name, sheet, []).rows)
    # a UTF-16 file is cut as its UTF-8 copy, and written back in its own encoding
    with open(readable_path(extracts / name, source.encoding), "rb") as given:
        head = given.read(FIRST_BYTES)
    data = np.frombuffer(head, dtype=np.uint8)
    quotes = np.flatnonzero(data == ord(source.quote_char))
    newlines = np.flatnonzero(data == 10)
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    # the header's end and `rows` records' (the first chunk's whole records if fewer)
    cut = int(ends[min(rows, len(ends) - 1)]) + 1 if len(ends) else len(head)
    kept = head[:cut]
    (target / name).write_bytes(
        kept.decode("utf-8").encode(source.encoding) if is_wide(source.encoding) else kept
    )
    return max(min(rows, len(ends) - 1), 0)
