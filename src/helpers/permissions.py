"""Who may read what is kept for the force only (a request's `restricted/` folder, a run's staging
folder, a failed run's outputs, the extract cache): its owner alone (folders 0700, files 0600)
whatever the umask, or also the group named by `FOI_SHARE_GROUP` (folders 0750, files 0640, that
group).

The umask is left alone: the runner, papermill and the kernel (a process of its own, which
inherits the runner's umask) also write `release/`, which is published and stays as the umask
makes it. So a folder is made 0700 before anything is written in it (nobody else can reach a file
in it, whatever the file's own mode), and `seal` then sets every mode (and the group) under it.
Standard library only.
"""

from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from helpers.errors import ParameterError

#: the environment variable naming the group that shares the restricted outputs
SHARE_GROUP = "FOI_SHARE_GROUP"


@dataclass(frozen=True)
class Access:
    """The modes of a restricted folder and file, and their group (-1: left as it is)."""

    folder: int = 0o700
    file: int = 0o600
    gid: int = -1

    def set(self, path: Path) -> None:
        """Give `path` (a folder or a file, not a link) this access, if it is ours to change."""
        status = path.lstat()
        if stat.S_ISLNK(status.st_mode) or status.st_uid != os.geteuid():
            return  # a link is not followed; another user's file is theirs
        if self.gid != -1 and status.st_gid != self.gid:
            os.chown(path, -1, self.gid, follow_symlinks=False)
        os.chmod(path, self.folder if stat.S_ISDIR(status.st_mode) else self.file)


#: the owner's alone, whatever `FOI_SHARE_GROUP` says (the disclosure log and its secret: one
#: officer's to write, and the key that would link its hashes back to people)
OWNER_ONLY = Access()


def access() -> Access:
    """The access `FOI_SHARE_GROUP` asks for (unset or empty: the owner's alone); ParameterError
    for a group that does not exist or that the user is not in."""
    name = os.environ.get(SHARE_GROUP, "").strip()
    if not name:
        return Access()
    try:
        gid = grp.getgrnam(name).gr_gid
    except KeyError:
        raise ParameterError(f"{SHARE_GROUP}: no group named {name!r} on this machine") from None
    if os.geteuid() != 0 and gid != os.getegid() and gid not in os.getgroups():
        raise ParameterError(f"{SHARE_GROUP}: you are not a member of group {name!r}")
    return Access(0o750, 0o640, gid)


def private_folder(path: Path, given: Access | None = None) -> Path:
    """`path` made (with its parents, as the umask says) if need be, and given restricted access."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    (given or access()).set(path)
    return path


def private_open(path: Path, encoding: str = "utf-8") -> TextIO:
    """`path` opened to be written as text, made (if it is new) readable by its owner only."""
    return open(  # noqa: SIM115 - the caller's `with` closes it
        path,
        "w",
        encoding=encoding,
        newline="",
        opener=lambda name, flags: os.open(name, flags, 0o600),
    )


def private_file(path: Path, given: Access | None = None) -> Path:
    """`path`, a file just written, given restricted access."""
    (given or access()).set(path)
    return path


def seal(folder: Path, given: Access | None = None) -> Path:
    """Give `folder` and everything under it restricted access (links are not followed)."""
    given = given or access()
    given.set(folder)
    for parent, folders, files in os.walk(folder):
        for name in (*folders, *files):
            given.set(Path(parent, name))
    return folder
