"""Files in an encoding that is not ASCII-compatible (UTF-16, UTF-32), converted once to UTF-8.

The byte scans and Arrow's CSV parser read bytes in which a comma is one byte; in UTF-16 it is
two. Such a file is converted once to UTF-8 (a byte-order mark dropped) into a private temporary
folder, readable by its owner only (it holds personal data), outside the project and `release/`,
and read as any UTF-8 file: the same lines, so the quarantine's line numbers hold. The size and
SHA-256 the manifest and the cache record are the original file's. The copies go when the read
is done (`forget_copies`), and at the latest when the process ends. A file in UTF-8 or an 8-bit
encoding never comes here: it is read as it is.
"""

from __future__ import annotations

import atexit
import codecs
import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from helpers.errors import ExtractError
from helpers.extracts.sources import SourceDefinition

#: Python's names of the encodings converted on the way in (the UTF-16 and UTF-32 families)
WIDE_ENCODINGS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
#: bytes converted at a time
CHUNK_BYTES = 16 * 1024 * 1024


def is_wide(encoding: str) -> bool:
    """The encoding writes ASCII in more than one byte a character: its files are converted."""
    return encoding in WIDE_ENCODINGS


def as_utf8(source: SourceDefinition) -> SourceDefinition:
    """The source as its converted files are read: UTF-8."""
    return replace(source, encoding="utf-8")


class Converted(NamedTuple):
    """A file's UTF-8 copy, and the original's size and SHA-256."""

    path: Path
    size: int
    sha256: str


_lock = threading.Lock()
_copies: dict[tuple[str, str, int, int], Converted] = {}
_folder: dict[int, Path] = {}  # process ID -> its private folder (a forked child makes its own)


def utf8_copy(path: Path, encoding: str) -> Converted:
    """The file converted to UTF-8, once per process while it is unchanged; `ExtractError` in
    one line naming it if it is not valid in `encoding` (an odd byte count, an unpaired
    surrogate)."""
    stat = path.stat()
    key = (str(path.resolve()), encoding, stat.st_size, stat.st_mtime_ns)
    with _lock:  # the byte scan's thread and the reader ask at once: one conversion
        if key not in _copies:
            _copies[key] = _convert(path, encoding, _private_folder())
        return _copies[key]


def _private_folder() -> Path:
    pid = os.getpid()
    if pid not in _folder:
        _folder[pid] = Path(tempfile.mkdtemp(prefix="foi-briefing-utf8-"))  # mode 0700
        atexit.register(shutil.rmtree, _folder[pid], ignore_errors=True)
    return _folder[pid]


def _convert(path: Path, encoding: str, folder: Path) -> Converted:
    """Decode `path` a chunk at a time, writing UTF-8 into a folder of its own in `folder` (so
    the copy keeps the file's name for messages), hashing the original's bytes on the way."""
    target = Path(tempfile.mkdtemp(dir=folder)) / path.name
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    digest = hashlib.sha256()
    size = 0
    first = True
    try:
        with open(path, "rb") as source, open(target, "xb") as out:
            os.chmod(target, 0o600)
            while True:
                chunk = source.read(CHUNK_BYTES)
                text = decoder.decode(chunk, final=not chunk)
                if first and text:
                    text, first = text.removeprefix("\ufeff"), False
                out.write(text.encode("utf-8"))
                if not chunk:
                    break
                digest.update(chunk)
                size += len(chunk)
    except UnicodeDecodeError as error:
        shutil.rmtree(target.parent, ignore_errors=True)
        where = size + error.start if error.start < len(error.object) else size + len(chunk)
        raise ExtractError(
            f"{path.name}: not valid {encoding} near byte {where} ({error.reason}): the file is "
            "damaged (cut short?) or not in that encoding"
        ) from None
    return Converted(target, size, digest.hexdigest())


def readable_path(path: Path, encoding: str) -> Path:
    """The file the parsers read: `path` itself, or its UTF-8 copy for a wide encoding."""
    return utf8_copy(path, encoding).path if is_wide(encoding) else path


def forget_copies() -> None:
    """Remove this process's copies: the read is done (a later need converts again)."""
    with _lock:
        _copies.clear()
        # the private folder too: a process that ends with os._exit (the person side) runs no
        # atexit handler
        folder = _folder.pop(os.getpid(), None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
