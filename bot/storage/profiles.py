"""Users: when they were last seen, whether they blocked the bot, their profile's history (undo)
and forgetting them."""

from __future__ import annotations

from datetime import date, datetime

import aiosqlite

from bot.domain import Profile
from bot.storage.columns import ts
from bot.storage.database import Database


class ProfileStore(Database):
    """The user's row and what hangs on it."""

    async def seen(self, user_id: int, now: datetime) -> None:
        """Note that a user wrote (a command, say): last seen now, and not blocking the bot."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO users (user_id, created_at, updated_at, last_seen) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
                "last_seen = excluded.last_seen, blocked_at = NULL",
                (user_id, ts(now), ts(now), ts(now)),
            )

    async def mark_blocked(self, user_id: int, now: datetime) -> None:
        """Remember that a user blocked the bot (Telegram answered 403)."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE users SET blocked_at = ? WHERE user_id = ?", (ts(now), user_id)
            )

    async def is_blocked(self, user_id: int) -> bool:
        """True when the user blocked the bot and has not written since."""
        rows = await self._db.execute_fetchall(
            "SELECT blocked_at IS NOT NULL FROM users WHERE user_id = ?", (user_id,)
        )
        return bool(rows and next(iter(rows))[0])

    async def known(self, user_id: int) -> bool:
        """True when anything is stored about the user."""
        rows = await self._db.execute_fetchall("SELECT 1 FROM users WHERE user_id = ?", (user_id,))
        return bool(rows)

    async def last_change(self, user_id: int) -> Profile | None:
        """The profile as it was before its latest change (level, market, since, background)."""
        rows = await self._db.execute_fetchall(
            "SELECT level, market, level_since, background FROM profile_history "
            "WHERE user_id = ? ORDER BY seq DESC LIMIT 1",
            (user_id,),
        )
        if not rows:
            return None
        level, market, since, background = next(iter(rows))
        when = date.fromisoformat(since) if since else None
        return Profile(user_id, level, market, level_since=when, background=background)

    async def undo(self, user_id: int, now: datetime) -> Profile | None:
        """Restore the profile as it was before its latest change, exactly; None if there was
        no change to undo. The restored state is not itself recorded as a change."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "SELECT seq, level, market, level_since, background FROM profile_history "
                "WHERE user_id = ? ORDER BY seq DESC LIMIT 1",
                (user_id,),
            )
            row = await cursor.fetchone()
            await cursor.close()
            if row is None:
                return None
            seq, level, market, since, background = row
            await db.execute(
                "UPDATE users SET level = ?, market = ?, level_since = ?, background = ?, "
                "updated_at = ? WHERE user_id = ?",
                (level, market, since, background, ts(now), user_id),
            )
            await db.execute("DELETE FROM profile_history WHERE seq = ?", (seq,))
        when = date.fromisoformat(since) if since else None
        return Profile(user_id, level, market, level_since=when, background=background)

    async def forget(self, user_id: int) -> bool:
        """Delete everything stored about a user; True if there was anything."""
        # Deleted content is overwritten (secure_delete, set at open), and the WAL, which still
        # holds the old pages, is checkpointed and truncated: nothing of it stays in the files.
        async with self.transaction() as db:
            # Conversation, plans and nudges go with the user (ON DELETE CASCADE).
            cur = await db.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
            existed = cur.rowcount > 0
        async with self._lock:
            await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return existed


async def ensure_user(db: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    """The user's row, which plan items and nudge settings refer to (created if missing)."""
    await db.execute(
        "INSERT INTO users (user_id, created_at, updated_at, last_seen) "
        "VALUES (?, ?, ?, ?) ON CONFLICT(user_id) DO NOTHING",
        (user_id, ts(now), ts(now), ts(now)),
    )
