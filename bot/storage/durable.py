"""The durable parts of delivery: the inbox of updates, the outbox of replies, nudge leases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain import Due, NudgeState
from bot.storage.columns import NUDGE_COLUMNS, nudge_state, opt_ts, ts
from bot.storage.nudges import record_nudge_event
from bot.storage.store import Storage

# Outbox states: a reply being sent (its fate is unknown if the process dies meanwhile), one
# Telegram accepted, one whose fate is unknown (a timeout, or a crash mid-send: never sent
# again), and one Telegram refused or that could not be delivered in time.
SENDING, SENT, UNKNOWN, FAILED = "sending", "sent", "unknown", "failed"


@dataclass(frozen=True)
class InboxRow:
    """A pending update: its id, the key its order is kept by (the chat), the raw JSON."""

    update_id: int
    chat_key: int | None
    body: str
    attempts: int


class Inbox:
    """Updates from the moment they arrive until they are processed."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def add(self, updates: Sequence[tuple[int, int | None, str]], now: datetime) -> int:
        """Store (update_id, chat_key, json) rows; ids already known are dropped. How many new."""
        async with self.storage.transaction() as db:
            before = db.total_changes
            await db.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, chat_key, body, received_at) "
                "VALUES (?, ?, ?, ?)",
                [(u, c, b, ts(now)) for u, c, b in updates],
            )
            return int(db.total_changes - before)

    async def pending_count(self) -> int:
        """How many updates wait to be processed."""
        rows = await self.storage.rows("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL")
        return int(rows[0][0])

    async def pending(self, now: datetime, limit: int) -> list[InboxRow]:
        """The oldest waiting updates that are not held back for a retry."""
        rows = await self.storage.rows(
            "SELECT update_id, chat_key, body, attempts FROM inbox WHERE done_at IS NULL "
            "AND (not_before IS NULL OR not_before <= ?) ORDER BY update_id LIMIT ?",
            (ts(now), limit),
        )
        return [InboxRow(int(u), c, str(b or "{}"), int(a)) for u, c, b, a in rows]

    async def done(self, update_id: int, now: datetime) -> None:
        """Processed: the body (the user's words) goes; the id stays to drop re-deliveries."""
        await self.storage.write(
            "UPDATE inbox SET done_at = ?, body = NULL, not_before = NULL WHERE update_id = ?",
            (ts(now), update_id),
        )

    async def retry_later(self, update_id: int, at: datetime) -> None:
        """Leave the update pending, to be tried again from `at`."""
        async with self.storage.transaction() as db:
            await db.execute(
                "UPDATE inbox SET attempts = attempts + 1, not_before = ? WHERE update_id = ?",
                (ts(at), update_id),
            )

    async def last_update_id(self) -> int | None:
        """The highest update id ever stored (the next getUpdates offset is one more)."""
        rows = await self.storage.rows("SELECT MAX(update_id) FROM inbox")
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    async def prune(self, before: datetime) -> int:
        """Delete updates done before `before`, and their outbox rows; how many updates."""
        async with self.storage.transaction() as db:
            # The newest id stays whatever its age: it tells a restart where polling stopped.
            cur = await db.execute(
                "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ? "
                "AND update_id < (SELECT MAX(update_id) FROM inbox)",
                (ts(before),),
            )
            await db.execute(
                "DELETE FROM outbox WHERE updated_at < ? AND update_id NOT IN "
                "(SELECT update_id FROM inbox WHERE done_at IS NULL)",
                (ts(before),),
            )
            return int(cur.rowcount)


class Outbox:
    """What became of each reply of an update: (update_id, seq) -> state."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def state(self, update_id: int, seq: int) -> str | None:
        """The reply's recorded state, None if it was never attempted."""
        rows = await self.storage.rows(
            "SELECT state FROM outbox WHERE update_id = ? AND seq = ?", (update_id, seq)
        )
        return str(rows[0][0]) if rows else None

    async def mark(self, update_id: int, seq: int, chat_id: int, state: str, now: datetime) -> None:
        """Record the reply's state."""
        await self.storage.write(
            "INSERT INTO outbox (update_id, seq, chat_id, state, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(update_id, seq) DO UPDATE SET "
            "state = excluded.state, updated_at = excluded.updated_at",
            (update_id, seq, chat_id, state, ts(now), ts(now)),
        )

    async def forget(self, update_id: int, seq: int) -> None:
        """The attempt proved not to have been delivered: as if never tried."""
        async with self.storage.transaction() as db:
            await db.execute("DELETE FROM outbox WHERE update_id = ? AND seq = ?", (update_id, seq))

    async def recover(self, now: datetime) -> list[tuple[int, int]]:
        """At start: replies that were being sent when the last process died have an unknown
        fate; they are marked so and never sent again. Their (update_id, chat_id)."""
        async with self.storage.transaction() as db:
            cur = await db.execute(
                "SELECT update_id, chat_id FROM outbox WHERE state = ?", (SENDING,)
            )
            rows = [(int(u), int(c)) for u, c in await cur.fetchall()]
            await cur.close()
            await db.execute(
                "UPDATE outbox SET state = ?, updated_at = ? WHERE state = ?",
                (UNKNOWN, ts(now), SENDING),
            )
        return rows


Decide = Callable[[NudgeState, datetime], Due]


class NudgeLeases:
    """Due nudges are leased while they are sent; the schedule moves on once one is accepted."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def claim(
        self, now: datetime, limit: int, decide: Decide, lease_seconds: float
    ) -> list[tuple[int, str | None, NudgeState, Due]]:
        """Lease up to `limit` due nudges: (user, level, state before, what to do).

        Nudges with nothing to send (deferred, blocked users) are settled here; the rest keep
        their schedule until `complete`, and are due again when the lease runs out.
        """
        until = ts(now) + int(lease_seconds)
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                f"SELECT n.user_id, u.level, u.blocked_at IS NOT NULL, {NUDGE_COLUMNS} "
                "FROM nudge_settings n JOIN users u ON u.user_id = n.user_id "
                "WHERE n.next_due IS NOT NULL AND n.next_due <= ? "
                "AND (n.lease_until IS NULL OR n.lease_until <= ?) ORDER BY n.next_due LIMIT ?",
                (ts(now), ts(now), limit),
            )
            rows = list(await cursor.fetchall())
            await cursor.close()
            claimed: list[tuple[int, str | None, NudgeState, Due]] = []
            for row in rows:
                user_id, level, blocked = int(row[0]), row[1], bool(row[2])
                state = nudge_state(row[3:])
                due = Due("defer", replace(state, next_due=None)) if blocked else decide(state, now)
                if due.action == "defer":
                    await _save_schedule(db, user_id, due.state)
                else:
                    await db.execute(
                        "UPDATE nudge_settings SET lease_until = ?, lease_sending = 0 "
                        "WHERE user_id = ?",
                        (until, user_id),
                    )
                claimed.append((user_id, level, state, due))
        return claimed

    async def sending(self, user_id: int) -> None:
        """The nudge is about to go out: if the process dies now, its fate is unknown."""
        await self.storage.write(
            "UPDATE nudge_settings SET lease_sending = 1 WHERE user_id = ?", (user_id,)
        )

    async def unsent(self, user_id: int) -> None:
        """The request was refused before delivery (a 429): no longer being sent."""
        await self.storage.write(
            "UPDATE nudge_settings SET lease_sending = 0 WHERE user_id = ?", (user_id,)
        )

    async def complete(
        self,
        user_id: int,
        state: NudgeState,
        now: datetime,
        event: str | None = None,
        tip_id: str | None = None,
    ) -> None:
        """Telegram accepted the nudge (or the user is gone): the schedule moves on and the
        event is recorded, in one transaction."""
        async with self.storage.transaction() as db:
            await _save_schedule(db, user_id, state)
            if event:
                await record_nudge_event(db, user_id, tip_id, event, now)

    async def release(self, user_id: int) -> None:
        """The nudge was not delivered: due again at the next round."""
        async with self.storage.transaction() as db:
            await db.execute(
                "UPDATE nudge_settings SET lease_until = NULL, lease_sending = 0 WHERE user_id = ?",
                (user_id,),
            )

    async def recover(self, now: datetime, decide: Decide) -> list[int]:
        """At start (one process per database, so no lease is live): nudges that were never
        sent are due again; one that was being sent has an unknown fate, so its schedule
        moves on without counting it as sent or ignored. The users of the latter."""
        unknown: list[int] = []
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                f"SELECT n.user_id, {NUDGE_COLUMNS} FROM nudge_settings n WHERE n.lease_sending = 1"
            )
            rows = list(await cursor.fetchall())
            await cursor.close()
            for row in rows:
                state = nudge_state(row[1:])
                # As decided when it was due (never earlier: a clock set back must not leave it
                # due again).
                at = max(now, state.next_due) if state.next_due is not None else now
                moved = decide(state, at).state
                await _save_schedule(db, int(row[0]), replace(moved, ignored=state.ignored))
                unknown.append(int(row[0]))
            await db.execute(
                "UPDATE nudge_settings SET lease_until = NULL, lease_sending = 0 "
                "WHERE lease_until IS NOT NULL OR lease_sending = 1"
            )
        return unknown


async def _save_schedule(db: Any, user_id: int, state: NudgeState) -> None:
    await db.execute(
        "UPDATE nudge_settings SET next_due = ?, last_sent = ?, ignored = ?, stopped = ?, "
        "lease_until = NULL, lease_sending = 0 WHERE user_id = ?",
        (opt_ts(state.next_due), opt_ts(state.last_sent), state.ignored, int(state.stopped),
         user_id),
    )  # fmt: skip
