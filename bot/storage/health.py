"""Start-up checks of the database file, the one-instance lock beside it, and telling a failed
write (a full disk, a read-only file) from other errors."""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
from pathlib import Path
from typing import IO

# SQLite's messages for writes that failed for lack of room or permission; the bot degrades
# (read-only answers still work) instead of failing on these.
_WRITE_FAILURES = (
    "database or disk is full",
    "attempt to write a readonly database",
    "disk i/o error",
    "unable to open database file",
)


class DatabaseProblem(Exception):
    """The database cannot be used; the message is one line for the operator."""


def is_write_failure(exc: BaseException | None) -> bool:
    """True for an error that means the database could not be written (full disk, read-only)."""
    while exc is not None:
        if isinstance(exc, sqlite3.OperationalError) and any(
            m in str(exc).lower() for m in _WRITE_FAILURES
        ):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def check_database(path: str) -> None:
    """Open the database, run `PRAGMA quick_check` and a write probe; DatabaseProblem if any
    of it fails. A missing file is fine (it is created); ":memory:" is not checked."""
    if path == ":memory:":
        return
    full = Path(path).expanduser()
    try:
        full.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseProblem(f"cannot create its directory: {exc.strerror}") from exc
    if full.exists() and not os.access(full, os.R_OK):
        raise DatabaseProblem("not readable by this user")
    try:
        conn = sqlite3.connect(full, timeout=5, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseProblem(str(exc)) from exc
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            first = str(rows[0][0]) if rows else "no answer"
            raise DatabaseProblem(f"damaged (quick_check: {first[:120]})")
        # The probe writes the version number back: a real write, with nothing changed.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        reason = str(exc)
        if is_write_failure(exc):
            reason = f"cannot be written ({reason})"
        raise DatabaseProblem(reason) from exc
    finally:
        conn.close()


class InstanceLock:
    """An exclusive lock on PATH.lock: one bot process per database."""

    def __init__(self, db_path: str) -> None:
        self.path = f"{Path(db_path).expanduser()}.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise DatabaseProblem naming the file if another process holds it."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 (held open for the life of the process)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise DatabaseProblem(
                f"in use by another careerbot process (pid {holder}; lock file {self.path})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Let the lock go (also happens when the process ends, however it ends)."""
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
