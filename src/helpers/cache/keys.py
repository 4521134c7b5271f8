"""Where an extract's cache entry lives, its name, the lock that lets one process build it, and
the mark that says a folder is the cache's (`own_root`): only what the cache made is removed.

Kept apart from `helpers.cache.entries` (which reads and writes the entries with Arrow): a run
claims the build lock before its kernel starts, and this needs no data library, so the cache
builder can be started early in the run instead of after the imports.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path

from helpers.errors import ExtractError, ParameterError
from helpers.extracts.sources import SourceDefinition, concrete_files
from helpers.permissions import access
from helpers.project import project_root

#: bump when what is stored changes, so old entries are never read by new code
CACHE_FORMAT = 5


def cache_root() -> Path:
    """`$FOI_CACHE_DIR`, else the project's `.cache/extracts`."""
    return Path(os.environ.get("FOI_CACHE_DIR") or project_root() / ".cache" / "extracts")


def _signature(directory: Path, sources: tuple[SourceDefinition, ...]) -> list:
    entries = []
    for source in sources:
        for given in source.files:
            # a pattern's every file (one more or one fewer is another extract)
            for spec in concrete_files(directory, given):
                path = directory / spec.filename
                if not path.is_file():
                    raise ExtractError(f"{spec.filename}: file not found in {directory}")
                stat = path.stat()
                # ctime too: a copy that keeps the modification time (cp -p, rsync -t) still
                # changes it
                entries.append([spec.filename, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns])
    return entries


#: the modules whose source makes the cache's entries: a change to any of them makes new ones
FINGERPRINTED_MODULES = (
    "extracts.sources",
    "extracts.profile",
    "extracts.codes",
    "extracts.ho_classes",
    "extracts.scan",
    "extracts.read",
    "extracts.transcode",
    "extracts.sheets",
    "extracts.quarantine",
    "extracts.arrays",
    "extracts.canonical",
    "extracts.merge",
    "extracts.people",
    "extracts.people_side",
    "extracts.side_work",
    "extracts.stores",
    "extracts.model",
    "extracts.load",
    "cache.entries",
    "cache.keys",
    "cache.builder",
)


def _code_fingerprint() -> str:
    """The loading code's own hash: a fix to how extracts are read makes a new entry by itself."""
    digest = hashlib.sha256()
    for module in FINGERPRINTED_MODULES:
        spec = find_spec(f"helpers.{module}")
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"helpers.{module}: not found", name=f"helpers.{module}")
        digest.update(Path(spec.origin).read_bytes())  # read, not imported
    return digest.hexdigest()


def entry_name(directory: Path, sources: tuple[SourceDefinition, ...] | None = None) -> str:
    """`<folder hash>-<contents hash>`: one entry per extracts folder, state of its files and
    version of the code that reads them."""
    from helpers.extracts.profile import chosen_sources  # its schema library: only when asked

    sources = chosen_sources(sources)
    folder = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    state = json.dumps(
        [CACHE_FORMAT, _code_fingerprint(), repr(sources), _signature(directory, sources)]
    )
    return f"{folder}-{hashlib.sha256(state.encode()).hexdigest()[:16]}"


# ---- the cache's own folder: marked, owner only, and only its own things in it

#: the file that marks a folder as the cache's root, and what it says
MARK = ".foi-briefing-cache"
MARK_TEXT = (
    "foi-briefing extract cache"  # how a mark starts (`is_marked`)
    " (personal data: owner only). `foi-briefing cache clear` removes "
    "the entries and locks foi-briefing made here, never this folder or anything else in it.\n"
)

#: the names of what the cache makes in its root: entries, their builds and removals (a process
#: id last), and each extracts folder's lock
_ENTRY = re.compile(r"[0-9a-f]{16}-[0-9a-f]{16}")
_AT_WORK = re.compile(r"\.[0-9a-f]{16}-[0-9a-f]{16}\.(?:building|removing)-(\d+)")
_LOCK = re.compile(r"[0-9a-f]{16}\.lock")


def made_by_cache(path: Path) -> str | None:
    """What the cache made `path` as ("entry", "at work": a build or removal, "lock", "mark"), by
    its name and kind; None: not the cache's. A link is never the cache's."""
    if path.is_symlink():
        return None
    name = path.name
    if path.is_dir():
        if _ENTRY.fullmatch(name):
            return "entry"
        if _AT_WORK.fullmatch(name):
            return "at work"
    elif path.is_file():
        if _LOCK.fullmatch(name):
            return "lock"
        if name == MARK:
            return "mark"
    return None


def is_marked(root: Path) -> bool:
    """`root` holds the cache's mark (a file, not a link, saying what it marks)."""
    mark = root / MARK
    try:
        return not mark.is_symlink() and mark.read_text(encoding="utf-8").startswith(
            "foi-briefing extract cache"
        )
    except (OSError, UnicodeDecodeError):
        return False


def own_root(
    root: Path | None = None, refused: str = "point FOI_CACHE_DIR at a folder of its own"
) -> bool:
    """Make sure `root` (the cache's root) is the cache's own folder before anything is written
    there: made owner-only and marked if it is new; an unmarked folder from before the mark is
    adopted (marked) if everything in it is something the cache makes. True if a folder that
    held entries was adopted so. ParameterError: a folder of someone else's (nothing written);
    its message ends with `refused`."""
    root = root or cache_root()
    given = access()  # the owner's alone, or FOI_SHARE_GROUP's too, as `restricted/` is
    try:
        root.mkdir(parents=True, mode=0o700)
        given.set(root)  # whatever the umask
        adopted = False
    except FileExistsError:
        if is_marked(root):
            # the setting as it is now: a cache made before FOI_SHARE_GROUP was set (or unset)
            # follows it from its next use
            given.set(root)
            given.set(root / MARK)
            return False
        if not root.is_dir():
            raise ParameterError(
                f"FOI_CACHE_DIR: {root} is not a folder, so not foi-briefing's extract cache; "
                f"{refused}"
            ) from None
        foreign = sorted(p.name for p in root.iterdir() if made_by_cache(p) is None)
        if foreign:
            raise ParameterError(
                f"FOI_CACHE_DIR: {root} is not foi-briefing's extract cache (no {MARK} mark, and "
                f"it holds {foreign[0]!r}{' and more' if len(foreign) > 1 else ''}, which "
                f"foi-briefing did not make); {refused}"
            ) from None
        adopted = any(root.iterdir())
    try:
        fd = os.open(root / MARK, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process marked it meanwhile
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as mark:
        mark.write(MARK_TEXT)
    given.set(root / MARK)
    return adopted


def open_private(path: Path):
    """A file of the cache's (a lock) opened for writing, owner-only (or `FOI_SHARE_GROUP`'s
    too) whatever the umask; someone else's lock (a shared cache) is used as it is."""
    handle = open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w")
    access().set(path)
    return handle


@contextmanager
def _locked(root: Path, name: str):
    own_root(root)
    with open_private(root / f"{name}.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def claim_build(directory: str | Path, sources: tuple[SourceDefinition, ...] | None = None):
    """The build lock of `directory`'s entry, taken now without waiting, for a builder process to
    inherit (`build_claimed`); None if the entry is built or another process holds the lock.

    The runner claims the build before its kernel starts, so a kernel that is quicker off the
    mark than the builder process waits for it instead of building the entry itself.
    """
    directory = Path(directory)
    root, name = cache_root(), entry_name(directory, sources)
    if (root / name / "meta.json").is_file():
        return None
    own_root(root)
    lock = open_private(root / f"{name.split('-')[0]}.lock")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    return lock


def is_built(directory: str | Path, sources: tuple[SourceDefinition, ...] | None = None) -> bool:
    return (cache_root() / entry_name(Path(directory), sources) / "meta.json").is_file()


def hold_entry(folder: Path):
    """A shared lock on a built entry, for as long as this process may read from it (the store
    keeps the open file; the lock goes when it is closed). A build that replaces the entry with a
    newer state of the files leaves it in place while someone holds it: a run that is half-way
    through reading texts or names from it is not left with missing files. None if the entry is
    not there (or was removed while we waited)."""
    try:
        handle = open(folder / "meta.json", "rb")
    except FileNotFoundError:
        return None
    fcntl.flock(handle, fcntl.LOCK_SH)
    try:
        there = os.path.samestat(os.fstat(handle.fileno()), os.stat(folder / "meta.json"))
    except FileNotFoundError:
        there = False
    if not there:
        handle.close()
        return None
    return handle


def remove_entries(folders) -> list[Path]:
    """Remove the entries no process holds (`hold_entry`); return those left because one does.

    Each is locked exclusively and renamed out of the way before it is deleted, so a reader
    waiting for it finds it gone rather than half-deleted."""
    kept = []
    for folder in folders:
        try:
            handle = open(folder / "meta.json", "rb")
        except FileNotFoundError:  # not a built entry (a build that failed half-way, say)
            shutil.rmtree(folder, ignore_errors=True)
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                kept.append(folder)
                continue
            doomed = folder.with_name(f".{folder.name}.removing-{os.getpid()}")
            try:
                os.rename(folder, doomed)
            except FileNotFoundError:  # another process removed it first
                continue
        shutil.rmtree(doomed, ignore_errors=True)
    return kept
