"""Row checks' verdicts: a row that cannot be used is set aside, never dropped silently.

Each is kept with its file, line, column, value and reason. Rows are numbered as the CSV reader
saw them while the files are read; `Quarantine.frame` turns those numbers into the physical line
where each record starts (`helpers.extracts.scan.record_layout`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpers.errors import ExtractError
from helpers.extracts.read import RawFile
from helpers.extracts.scan import record_layout
from helpers.extracts.sources import FileSpec
from helpers.extracts.transcode import forget_copies, readable_path

if TYPE_CHECKING:  # pandas is imported where frames are made: the person side never needs it
    import pandas as pd

QUARANTINE_COLUMNS = ["file", "line", "column", "value", "reason"]


@dataclass
class Quarantine:
    """Rows set aside, with file, record number, column, value and reason.

    Records are numbered as the CSV reader saw them (well-formed records only); `frame()` turns
    them into the physical line where each record starts (the header is line 1).
    """

    parts: list[dict] = field(default_factory=list)  # columns of a frame each (made by `frame()`)

    def add(self, file: str, records: np.ndarray, column: str, values, reason: str) -> None:
        if len(records) == 0:
            return
        text = (
            pa.array(values, type=pa.string())
            if not isinstance(values, (pa.Array, pa.ChunkedArray))
            else values
        )
        text = pc.fill_null(pc.utf8_slice_codeunits(pc.cast(text, pa.string()), 0, 80), "")
        self.parts.append(
            {
                "file": file,
                "record": np.asarray(records, dtype=np.int64),
                "column": column,
                "value": text.to_numpy(zero_copy_only=False),
                "reason": reason,
            }
        )

    def first_failures(
        self, raw: RawFile, spec: FileSpec, checks: list[tuple[np.ndarray, str, str]]
    ) -> np.ndarray:
        """Quarantine each row under the first check it fails; return the mask of rows kept.

        `checks` are (bad mask, canonical field, reason), in order of precedence.
        """
        failed = np.full(raw.data.num_rows, -1, dtype=np.int16)
        for number, (bad, _, _) in enumerate(checks):
            failed[(failed < 0) & np.asarray(bad, dtype=bool)] = number
        for number, (_, field_name, reason) in enumerate(checks):
            rows = np.flatnonzero(failed == number)
            if len(rows):
                values = (
                    raw.data[field_name].take(pa.array(rows))
                    if field_name in raw.data.column_names
                    else [""] * len(rows)
                )
                self.add(raw.name, rows, spec.columns.get(field_name, field_name), values, reason)
        return failed < 0

    def frame(self, raws: dict[str, RawFile], directory: Path) -> pd.DataFrame:
        """The quarantine with physical line numbers, sorted by file and line."""
        import pandas as pd  # here: the person side process imports this module and makes no frame

        parts = [pd.DataFrame(part) for part in self.parts if len(part["record"])]
        for raw in raws.values():
            if raw.malformed:
                malformed = pd.DataFrame(raw.malformed, columns=["text", "reason"])
                parts.append(
                    malformed.assign(
                        file=raw.name,
                        record=-1,
                        column="(whole record)",
                        value=malformed["text"].str.slice(0, 80),
                    )
                )
        if not parts:
            return pd.DataFrame(
                {
                    column: pd.Series(dtype="int64" if column == "line" else "str")
                    for column in QUARANTINE_COLUMNS
                }
            )
        table = pd.concat(parts, ignore_index=True)
        table["line"] = np.int64(0)
        try:
            for key, rows in table.groupby("file", sort=False).groups.items():
                name = str(key)  # a file name: the column holds nothing else
                known = raws[name].lines
                if known is not None:  # a spreadsheet's records: their rows, known
                    table.loc[rows, "line"] = known[table.loc[rows, "record"].to_numpy()]
                    continue
                layout = record_layout(
                    readable_path(Path(directory) / name, raws[name].encoding),
                    raws[name].delimiter,
                    raws[name].quote_char,
                )
                width = len(raws[name].header)
                well_formed = layout.loc[layout["fields"] == width, "line"].to_numpy()
                malformed_lines = layout.loc[layout["fields"] != width, "line"].to_numpy()
                raw = raws[name]
                if len(layout) != raw.records_read or len(malformed_lines) != len(raw.malformed):
                    # a stray double quote outside a quoted field: the records cannot be placed
                    # on lines
                    raise ExtractError(
                        f"{name}: {raw.records_read} records read but {len(layout)} found by "
                        "line; a double quote is probably stray (outside a quoted field): check "
                        "the file's quoting"
                    )
                records = table.loc[rows, "record"].to_numpy()
                lines = np.empty(len(records), dtype=np.int64)
                lines[records >= 0] = well_formed[records[records >= 0]]
                lines[records < 0] = malformed_lines[: int((records < 0).sum())]
                table.loc[rows, "line"] = lines
        finally:  # a UTF-16 file's copy, made again for its lines, goes at once
            forget_copies()
        return table.sort_values(["file", "line"], kind="stable")[QUARANTINE_COLUMNS].reset_index(
            drop=True
        )
