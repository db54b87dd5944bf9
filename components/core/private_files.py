"""Files that only their owner may read: the journal holds phone numbers and personalization.

Modes are set explicitly, whatever the process umask (SQLite alone creates its files 0644):
- a folder the console creates is 0700;
- a folder that already exists keeps its mode, neither widened nor narrowed: it may be shared on
  purpose (e.g. SMS_CONSOLE_DATA_DIR=/srv/sms) and the console cannot tell it made it earlier;
- the file itself and its companions (SQLite's -wal and -shm) are the console's own: created
  0600, and an existing one that others may read loses its group and other bits (it never gains
  any), so a journal written by an older version is tightened too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def ensure_private_file(path: Path, companions: Sequence[str] = ()) -> None:
    """Creates `path` (and its missing folders) readable by its owner only; `companions` are
    suffixes of files beside it that are tightened when they exist."""
    _make_folders(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        pass
    else:
        try:
            os.fchmod(descriptor, FILE_MODE)  # the umask may have taken owner bits away
        finally:
            os.close(descriptor)
    for name in (path, *(path.with_name(path.name + suffix) for suffix in companions)):
        _tighten(name)


def _make_folders(folder: Path) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        try:
            os.mkdir(made, FOLDER_MODE)
        except FileExistsError:
            continue  # another process made it a moment ago: not ours to change
        os.chmod(made, FOLDER_MODE)


def _tighten(path: Path) -> None:
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077)
    except FileNotFoundError:
        pass
    except PermissionError:
        pass  # another user's file: SQLite says so if it cannot be used
