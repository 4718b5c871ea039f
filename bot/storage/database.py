"""The SQLite database through aiosqlite: the connection, its transactions and the schema's
migrations. The stores beside this module add the statements of what they keep."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Self

import aiosqlite

from bot.storage.migrations import MIGRATIONS


def _prepare_path(path: str) -> str:
    """Expand ~ and create the database's directory."""
    full = Path(path).expanduser()
    full.parent.mkdir(parents=True, exist_ok=True)
    return str(full)


class Database:
    """One SQLite connection (WAL mode), shared by every handler one transaction at a time."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self.path = path
        # One connection serves every handler: transactions must not interleave.
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Self:
        """Open (creating if needed) and migrate the database at `path` (":memory:" works)."""
        target = str(path)
        if target != ":memory:":
            target = await asyncio.to_thread(_prepare_path, target)
        db = await aiosqlite.connect(target, isolation_level=None)
        try:
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute("PRAGMA busy_timeout = 5000")
            # Deleted content (a forgotten user, a processed update's text) is overwritten, not
            # left readable in free pages.
            await db.execute("PRAGMA secure_delete = ON")
            if target != ":memory:":
                await db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL is durable against process crashes (kill -9); only power loss
                # can drop the last transactions, never corrupt the file.
                await db.execute("PRAGMA synchronous = NORMAL")
            store = cls(db, target)
            await store.migrate()
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        """Checkpoint and close the database."""
        async with self._lock:
            await self._db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run statements atomically (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error)."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                # SQLite rolls back by itself after some errors (a full disk): a second
                # ROLLBACK would fail and hide the error that matters.
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def write(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one writing statement on its own (atomic like any statement, one trip to the
        database thread: the cursor is made and done with there)."""
        async with self._lock:
            await self._db.execute_fetchall(sql, params)

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        """The rows of one read-only statement (for the storage modules beside this one)."""
        return list(await self._db.execute_fetchall(sql, params))

    # -- schema ---------------------------------------------------------------------------
    async def schema_version(self) -> int:
        """The database's `PRAGMA user_version`."""
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, target: int | None = None) -> int:
        """Apply the migrations above the current version (each in its own transaction)."""
        goal = len(MIGRATIONS) if target is None else target
        current = await self.schema_version()
        if current > len(MIGRATIONS):
            raise RuntimeError(
                f"database schema version {current} is newer than this program knows "
                f"({len(MIGRATIONS)}): upgrade the bot instead of downgrading the database"
            )
        for version in range(current + 1, goal + 1):
            async with self.transaction() as db:
                for statement in MIGRATIONS[version - 1]:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {version}")
        return await self.schema_version()
