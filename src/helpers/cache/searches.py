"""What searches of a cached extract's every text found, kept in its entry for later processes.

The release gate looks for the release's short texts in every circumstances text of the extract,
through their anchor words (`helpers.gate.rules.copied_text`): a pass of RE2 over every text,
0.2 s of processor time for a million crimes, in each process that asks (the runner, and each
kernel of a batch). An entry's texts never change, so what a search found is kept here, in the
entry (`searches/`, a file per search): the runner and the kernels of a batch search each anchor
once, and a request run again searches for none. Keeping it is best effort (a shared cache that
another user owns, a full disk): what cannot be kept is searched for again.

A file says which search it holds (its `key`, in full, on its first line) and the text numbers
found; one that is not whole, holds another key, or numbers outside the entry's texts is not
used. The answers of the gate's look-ups of people (`keep_table`: who is named on a request's
crimes, who was born on a release's dates) are kept the same way, as small Arrow tables: the
kernel's gate on the tables and the runner's on the release ask the same of the same request.
The files are written whole under a temporary name, then renamed; private as the entry is
(`helpers.permissions`). Not among the modules that name an entry (`keys.FINGERPRINTED_MODULES`):
this does not change how an extract is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa

from helpers.errors import ParameterError
from helpers.permissions import access

#: the entry's folder of kept searches
SEARCHES = "searches"
#: how a kept search's file starts (the format's version: a file of another is not read)
HEADER = "foi-briefing search 1 "
#: a kept table's metadata: the key it was kept under
KEY = b"foi-briefing key"


class KeptSearches:
    """The searches kept in one entry (`entry`, the entry's folder) over its `texts` texts, and
    the answers of look-ups in it."""

    def __init__(self, entry: Path, texts: int = 0):
        self.folder = Path(entry) / SEARCHES
        self.texts = texts

    def _path(self, key: str) -> Path:
        return self.folder / hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    def get(self, key: str) -> np.ndarray | None:
        """The text numbers (ascending) the search `key` found, if it is kept; else None."""
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        return _rows(data, key, self.texts)

    def put(self, key: str, rows: np.ndarray) -> None:
        """Keep what the search `key` found (its text numbers), for the next process."""
        header = (HEADER + json.dumps(key) + "\n").encode("utf-8")
        self._write(key, header + np.asarray(rows, dtype="<i8").tobytes())

    def table(self, key: str) -> pa.Table | None:
        """The small table kept under `key` (`keep_table`: a look-up's answer), if it is whole;
        else None."""
        try:
            data = self._path(key).read_bytes()
            table = pa.ipc.open_file(pa.py_buffer(data)).read_all()
        except (OSError, pa.ArrowException):
            return None
        if (table.schema.metadata or {}).get(KEY) != key.encode("utf-8"):
            return None
        return table.replace_schema_metadata(None)

    def keep_table(self, key: str, table: pa.Table) -> None:
        """Keep a look-up's answer (a small table) under `key`, for the next process (nothing,
        if Arrow cannot write it as one file: it is looked up again)."""
        sink = pa.BufferOutputStream()
        table = table.replace_schema_metadata({KEY: key.encode("utf-8")})
        try:
            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        except pa.ArrowException:  # chunks of different dictionaries, say
            return
        self._write(key, sink.getvalue().to_pybytes())

    def _write(self, key: str, data: bytes) -> None:
        """`data` as the file of `key`: written whole under a temporary name, then renamed;
        nothing is kept if the entry cannot be written in."""
        temporary = self.folder / f".{os.getpid()}-{threading.get_native_id()}"
        try:
            given = access()
            self.folder.mkdir(mode=0o700, exist_ok=True)
            given.set(self.folder)  # the entry's own access, whatever the umask
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            given.set(temporary)
            os.replace(temporary, self._path(key))
        except (OSError, ParameterError):  # kept nowhere: looked up again next time
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


def _rows(data: bytes, key: str, texts: int) -> np.ndarray | None:
    """A kept search's text numbers, if `data` is the whole file of search `key` over `texts`
    texts: its numbers ascending, each one of a text."""
    first, newline, body = data.partition(b"\n")
    if not newline or first != (HEADER + json.dumps(key)).encode("utf-8") or len(body) % 8:
        return None
    rows = np.frombuffer(body, dtype="<i8").astype(np.int64)
    if len(rows) and (rows[0] < 0 or rows[-1] >= texts or (np.diff(rows) <= 0).any()):
        return None
    return rows
