"""Files the service writes are private: 0600, and 0700 for folders it makes, whatever the umask.

The database holds channel URLs with passwords, supporters' addresses and the key that signs staff
sessions; tallies and letters name supporters' countries and officials. Nobody else on the host
needs to read any of it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from actions.errors import InvalidInputError

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
PRIVATE_UMASK = 0o077


def keep_private() -> None:
    """From now on this process creates files 0600 and folders 0700 (SQLite's WAL and SHM too)."""
    os.umask(PRIVATE_UMASK)


def ensure_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if missing (and its folder 0700), so what opens it next
    (SQLite, a lock) never makes it with the umask's mode."""
    path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    os.close(fd)


def write_private(path: Path, content: bytes, *, field: str = "output") -> None:
    """Write ``content`` to ``path`` as a 0600 file, whole or not at all.

    A regular file is written beside its place and renamed over it, so a failure (a full disk)
    leaves the old file as it was; a device or pipe (``/dev/stdout``) is written directly. A file
    that cannot be written is a user's mistake (no such folder, no permission), told in one line
    naming the file: an ``InvalidInputError`` on ``field``.
    """
    try:
        if path.exists() and not path.is_file():
            with path.open("wb") as handle:
                handle.write(content)
            return
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path())
        try:
            with os.fdopen(fd, "wb") as handle:  # mkstemp makes it 0600
                handle.write(content)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InvalidInputError(field, f"{path}: cannot write: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    return exc.strerror or type(exc).__name__


def readable_by_others(path: Path) -> bool:
    """Whether anyone but the owner may read ``path`` (its group or everyone)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))
