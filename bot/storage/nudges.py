"""Nudge settings and schedules, claiming due nudges, what happened to each, and the tips seen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import aiosqlite

from bot.domain import Due, NudgeState
from bot.storage.columns import NUDGE_COLUMNS, nudge_state, opt_ts, ts
from bot.storage.database import Database
from bot.storage.profiles import ensure_user


class NudgeStore(Database):
    """A user's nudges: when, how often, and what came of them."""

    async def save_nudges(self, user_id: int, state: NudgeState, now: datetime) -> None:
        """Store a user's nudge settings and schedule (after they changed them)."""
        async with self.transaction() as db:
            await ensure_user(db, user_id, now)
            await db.execute(
                "INSERT INTO nudge_settings (user_id, cadence, weekday, hour, minute, tz, "
                "next_due, last_sent, ignored, stopped, offered) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
                "ON CONFLICT(user_id) DO UPDATE SET cadence = excluded.cadence, "
                "weekday = excluded.weekday, hour = excluded.hour, minute = excluded.minute, "
                "tz = excluded.tz, next_due = excluded.next_due, last_sent = excluded.last_sent, "
                "ignored = excluded.ignored, stopped = excluded.stopped, offered = 1",
                (user_id, state.cadence, state.weekday, state.hour, state.minute, state.tz,
                 opt_ts(state.next_due), opt_ts(state.last_sent), state.ignored,
                 int(state.stopped)),
            )  # fmt: skip

    async def nudges_offered(self, user_id: int) -> bool:
        """True once the user was offered nudges (or set them up)."""
        rows = await self._db.execute_fetchall(
            "SELECT offered FROM nudge_settings WHERE user_id = ?", (user_id,)
        )
        return bool(rows and next(iter(rows))[0])

    async def claim_due(
        self, now: datetime, limit: int, decide: Callable[[NudgeState, datetime], Due]
    ) -> list[tuple[int, str | None, Due]]:
        """Select due nudges and move each one's schedule on, in one transaction.

        A crash after this loses at most these nudges; it can never send one twice. Users who
        blocked the bot leave the schedule until they write again.
        """
        async with self.transaction() as db:
            cursor = await db.execute(
                f"SELECT n.user_id, u.level, u.blocked_at IS NOT NULL, {NUDGE_COLUMNS} "
                "FROM nudge_settings n JOIN users u ON u.user_id = n.user_id "
                "WHERE n.next_due IS NOT NULL AND n.next_due <= ? ORDER BY n.next_due LIMIT ?",
                (ts(now), limit),
            )
            rows = list(await cursor.fetchall())
            await cursor.close()
            claimed: list[tuple[int, str | None, Due]] = []
            updates = []
            for row in rows:
                user_id, level, blocked = row[0], row[1], bool(row[2])
                state = nudge_state(row[3:])
                due = Due("defer", replace(state, next_due=None)) if blocked else decide(state, now)
                new = due.state
                updates.append((opt_ts(new.next_due), opt_ts(new.last_sent), new.ignored,
                                int(new.stopped), user_id))  # fmt: skip
                claimed.append((user_id, level, due))
            await db.executemany(
                "UPDATE nudge_settings SET next_due = ?, last_sent = ?, ignored = ?, stopped = ? "
                "WHERE user_id = ?",
                updates,
            )
        return claimed

    async def nudge_event(
        self, user_id: int, tip_id: str | None, event: str, now: datetime
    ) -> None:
        """Record what happened to a nudge (sent, done, snoozed, paused, another, stopped)."""
        async with self.transaction() as db:
            await record_nudge_event(db, user_id, tip_id, event, now)

    async def tips_seen(self, user_id: int) -> set[str]:
        """Ids of the tips a user has been sent in the current round."""
        rows = await self._db.execute_fetchall(
            "SELECT tip_id FROM tips_seen WHERE user_id = ?", (user_id,)
        )
        return {str(r[0]) for r in rows}

    async def forget_tips(self, user_id: int, tip_ids: set[str]) -> None:
        """Start a new round of tips (all were seen)."""
        async with self.transaction() as db:
            await db.executemany(
                "DELETE FROM tips_seen WHERE user_id = ? AND tip_id = ?",
                [(user_id, t) for t in tip_ids],
            )

    async def count_events(self, user_id: int, event: str, since: datetime) -> int:
        """How many times a user's nudges had this outcome since a moment."""
        rows = await self._db.execute_fetchall(
            "SELECT COUNT(*) FROM nudge_events WHERE user_id = ? AND event = ? AND at >= ?",
            (user_id, event, ts(since)),
        )
        return int(next(iter(rows))[0])


async def record_nudge_event(
    db: aiosqlite.Connection, user_id: int, tip_id: str | None, event: str, now: datetime
) -> None:
    """A nudge's outcome for the user (and the tip as seen) and in the anonymous daily counts."""
    await db.execute(
        "INSERT INTO nudge_events (user_id, tip_id, event, at) "
        "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE user_id = ?)",
        (user_id, tip_id, event, ts(now), user_id),
    )
    if event == "sent" and tip_id:
        await db.execute(
            "INSERT OR IGNORE INTO tips_seen (user_id, tip_id) SELECT ?, ? "
            "WHERE EXISTS (SELECT 1 FROM users WHERE user_id = ?)",
            (user_id, tip_id, user_id),
        )
    await db.execute(
        "INSERT INTO nudge_counts (day, event, count) VALUES (?, ?, 1) "
        "ON CONFLICT(day, event) DO UPDATE SET count = count + 1",
        (now.date().isoformat(), event),
    )
