"""SQLite storage through aiosqlite: the only module with SQL. Schema as numbered migrations."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain import Context, Due, Event, NudgeState, Profile
from bot.storage.migrations import MIGRATIONS

_NUDGE_COLUMNS = (
    "n.cadence, n.weekday, n.hour, n.minute, n.tz, n.next_due, n.last_sent, n.ignored, n.stopped"
)

# Unanswered questions kept for the operator: the most frequent, bounded (migration 8's trigger).
MAX_UNANSWERED = 1000


@dataclass(frozen=True)
class Stats:
    """What an operator sees in /stats."""

    users: int
    active_7d: int
    blocked: int
    questions_7d: dict[str, int]
    questions_total: dict[str, int]
    unanswered: list[tuple[str, int]]
    nudges_7d: dict[str, int]
    nudges_total: dict[str, int]


def _nudge_state(row: Sequence[Any]) -> NudgeState:
    if row[0] is None:
        return NudgeState()
    cadence, weekday, hour, minute, tz, next_due, last_sent, ignored, stopped = row
    return NudgeState(
        cadence=cadence,
        weekday=weekday,
        hour=hour,
        minute=minute,
        tz=tz,
        next_due=_dt(next_due) if next_due is not None else None,
        last_sent=_dt(last_sent) if last_sent is not None else None,
        ignored=ignored,
        stopped=bool(stopped),
    )


def _opt_ts(moment: datetime | None) -> int | None:
    return _ts(moment) if moment is not None else None


def _prepare_path(path: str) -> str:
    """Expand ~ and create the database's directory."""
    full = Path(path).expanduser()
    full.parent.mkdir(parents=True, exist_ok=True)
    return str(full)


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class Storage:
    """Per-user profile and conversation context in one SQLite database (WAL mode)."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self.path = path
        # One connection serves every handler: transactions must not interleave.
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Storage:
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

    async def write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one writing statement on its own (atomic like any statement, one trip to the
        database thread); the number of rows it changed."""
        async with self._lock:
            cursor = await self._db.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
        return int(count)

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

    # -- profile and conversation ---------------------------------------------------------
    async def load(self, user_id: int) -> tuple[Profile, Context | None]:
        """A user's profile (empty if unknown) and last conversation context."""
        # One statement, one hop to the database thread: this runs for every message.
        rows = await self._db.execute_fetchall(
            "SELECT u.level, u.market, u.level_since, u.background, c.intent, c.level, "
            "c.from_level, c.market, c.pending, c.updated_at, c.company, c.confirm, "
            f"{_NUDGE_COLUMNS} FROM users u "
            "LEFT JOIN conversation c ON c.user_id = u.user_id "
            "LEFT JOIN nudge_settings n ON n.user_id = u.user_id WHERE u.user_id = ?",
            (user_id,),
        )
        if not rows:
            return Profile(user_id), None
        row = next(iter(rows))
        since = date.fromisoformat(row[2]) if row[2] else None
        profile = Profile(user_id, row[0], row[1], _nudge_state(row[12:]), since, row[3])
        if row[4] is None:
            return profile, None
        ctx = Context(row[4], row[5], row[6], row[7], row[8], _dt(row[9]), row[10], row[11])
        return profile, ctx

    async def save(
        self,
        profile: Profile,
        context: Context | None,
        now: datetime,
        event: Event | None = None,
        resume_nudges_at: datetime | None = None,
    ) -> None:
        """Store a profile, its conversation context and the message's counts, atomically.

        Writing to the bot answers any nudge (the unanswered count starts again); after a block,
        `resume_nudges_at` puts the user back on the schedule.
        """
        since = profile.level_since.isoformat() if profile.level_since else None
        ctx = context
        # One statement (migration 7's trigger does the writes): one trip to the database
        # thread for every message instead of six, and atomic like any statement.
        async with self._lock:
            await self._db.execute(
                "INSERT INTO turn_writes (user_id, level, market, level_since, background, at, "
                "resume_at, day, intent, unanswered, ctx_intent, ctx_level, ctx_from_level, "
                "ctx_market, ctx_pending, ctx_at, ctx_company, ctx_confirm) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    profile.user_id,
                    profile.level,
                    profile.market,
                    since,
                    profile.background,
                    _ts(now),
                    _ts(resume_nudges_at) if resume_nudges_at is not None else None,
                    now.date().isoformat(),
                    event.intent if event else None,
                    (event.unanswered or None) if event else None,
                    ctx.intent if ctx else None,
                    ctx.level if ctx else None,
                    ctx.from_level if ctx else None,
                    ctx.market if ctx else None,
                    ctx.pending if ctx else None,
                    _ts(ctx.at) if ctx else None,
                    ctx.company if ctx else None,
                    ctx.confirm if ctx else None,
                ),
            )

    async def seen(self, user_id: int, now: datetime) -> None:
        """Note that a user wrote (a command, say): last seen now, and not blocking the bot."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO users (user_id, created_at, updated_at, last_seen) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
                "last_seen = excluded.last_seen, blocked_at = NULL",
                (user_id, _ts(now), _ts(now), _ts(now)),
            )

    async def mark_blocked(self, user_id: int, now: datetime) -> None:
        """Remember that a user blocked the bot (Telegram answered 403)."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE users SET blocked_at = ? WHERE user_id = ?", (_ts(now), user_id)
            )

    async def is_blocked(self, user_id: int) -> bool:
        """True when the user blocked the bot and has not written since."""
        rows = await self._db.execute_fetchall(
            "SELECT blocked_at IS NOT NULL FROM users WHERE user_id = ?", (user_id,)
        )
        return bool(rows and next(iter(rows))[0])

    async def stats(self, now: datetime) -> Stats:
        """Counts for the operator (read-only: the unanswered list is capped as it is written)."""
        week_ago = now - timedelta(days=7)
        users = await self._db.execute_fetchall(
            "SELECT COUNT(*), COALESCE(SUM(last_seen >= ?), 0), "
            "COALESCE(SUM(blocked_at IS NOT NULL), 0) FROM users",
            (_ts(week_ago),),
        )
        total, active, blocked = next(iter(users))
        recent = await self._db.execute_fetchall(
            "SELECT intent, SUM(count) FROM question_counts WHERE day >= ? GROUP BY intent "
            "ORDER BY SUM(count) DESC",
            (week_ago.date().isoformat(),),
        )
        overall = await self._db.execute_fetchall(
            "SELECT intent, SUM(count) FROM question_counts GROUP BY intent "
            "ORDER BY SUM(count) DESC"
        )
        unanswered = await self._db.execute_fetchall(
            "SELECT text, count FROM unanswered ORDER BY count DESC, last_seen DESC LIMIT 10"
        )
        nudges_recent = await self._db.execute_fetchall(
            "SELECT event, SUM(count) FROM nudge_counts WHERE day >= ? GROUP BY event",
            (week_ago.date().isoformat(),),
        )
        nudges_all = await self._db.execute_fetchall(
            "SELECT event, SUM(count) FROM nudge_counts GROUP BY event"
        )
        return Stats(
            users=int(total),
            active_7d=int(active),
            blocked=int(blocked),
            questions_7d={str(i): int(n) for i, n in recent},
            questions_total={str(i): int(n) for i, n in overall},
            unanswered=[(str(t), int(n)) for t, n in unanswered],
            nudges_7d={str(e): int(n) for e, n in nudges_recent},
            nudges_total={str(e): int(n) for e, n in nudges_all},
        )

    # -- plans --------------------------------------------------------------------------------
    async def plan_statuses(self, user_id: int) -> dict[str, str]:
        """Status of every plan item the user has marked (unmarked ones are to do)."""
        rows = await self._db.execute_fetchall(
            "SELECT item_id, status FROM plan_items WHERE user_id = ?", (user_id,)
        )
        return {str(i): str(s) for i, s in rows}

    async def set_plan_statuses(
        self, user_id: int, statuses: dict[str, str], now: datetime
    ) -> None:
        """Mark plan items (done, doing, skip, todo)."""
        async with self.transaction() as db:
            await _ensure_user(db, user_id, now)
            await db.executemany(
                "INSERT INTO plan_items (user_id, item_id, status, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(user_id, item_id) DO UPDATE SET status = excluded.status, "
                "updated_at = excluded.updated_at",
                [(user_id, item, status, _ts(now)) for item, status in statuses.items()],
            )

    async def archive_plan(
        self, user_id: int, from_level: str, to_level: str, item_ids: list[str], now: datetime
    ) -> tuple[int, int]:
        """Archive a finished move's plan: (done, total) of it. Archiving deletes nothing: the
        statuses stay, so that the plan comes back whole if the level goes back."""
        async with self.transaction() as db:
            marks = ",".join("?" for _ in item_ids) or "''"
            cursor = await db.execute(
                "SELECT item_id, status FROM plan_items "
                f"WHERE user_id = ? AND item_id IN ({marks})",
                (user_id, *item_ids),
            )
            statuses = {str(i): str(s) for i, s in await cursor.fetchall()}
            await cursor.close()
            relevant = [i for i in item_ids if statuses.get(i) != "skip"]
            done = sum(statuses.get(i) == "done" for i in relevant)
            await db.execute(
                "INSERT INTO plan_archive (user_id, from_level, to_level, archived_at, done, "
                "total, statuses) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user_id, from_level, to_level, _ts(now), done, len(relevant),
                 json.dumps(statuses, sort_keys=True)),
            )  # fmt: skip
        return done, len(relevant)

    async def unarchive_plans(self, user_id: int, from_levels: Sequence[str]) -> int:
        """Bring archived plans back (the level went back below them); how many came back.

        Databases from before migration 8 deleted the statuses when archiving: they come back
        from the archive's copy, without overwriting any status set since."""
        if not from_levels:
            return 0
        marks = ",".join("?" for _ in from_levels)
        async with self.transaction() as db:
            cursor = await db.execute(
                f"SELECT statuses FROM plan_archive WHERE user_id = ? AND from_level IN ({marks})",
                (user_id, *from_levels),
            )
            rows = list(await cursor.fetchall())
            await cursor.close()
            for (saved,) in rows:
                await db.executemany(
                    "INSERT OR IGNORE INTO plan_items (user_id, item_id, status, updated_at) "
                    "VALUES (?, ?, ?, 0)",
                    [(user_id, item, status) for item, status in json.loads(saved).items()],
                )
            await db.execute(
                f"DELETE FROM plan_archive WHERE user_id = ? AND from_level IN ({marks})",
                (user_id, *from_levels),
            )
        return len(rows)

    async def reset_plan_items(self, user_id: int, item_ids: Sequence[str]) -> None:
        """Forget the statuses of these plan items (after the user confirmed a plan reset)."""
        marks = ",".join("?" for _ in item_ids) or "''"
        async with self.transaction() as db:
            await db.execute(
                f"DELETE FROM plan_items WHERE user_id = ? AND item_id IN ({marks})",
                (user_id, *item_ids),
            )

    async def plan_history(self, user_id: int) -> list[tuple[str, str, datetime, int, int]]:
        """Archived plans: (from, to, archived at, done, total), oldest first."""
        rows = await self._db.execute_fetchall(
            "SELECT from_level, to_level, archived_at, done, total FROM plan_archive "
            "WHERE user_id = ? ORDER BY archived_at",
            (user_id,),
        )
        return [(str(a), str(b), _dt(t), int(d), int(n)) for a, b, t, d, n in rows]

    # -- nudges -------------------------------------------------------------------------------
    async def save_nudges(self, user_id: int, state: NudgeState, now: datetime) -> None:
        """Store a user's nudge settings and schedule (after they changed them)."""
        async with self.transaction() as db:
            await _ensure_user(db, user_id, now)
            await db.execute(
                "INSERT INTO nudge_settings (user_id, cadence, weekday, hour, minute, tz, "
                "next_due, last_sent, ignored, stopped, offered) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
                "ON CONFLICT(user_id) DO UPDATE SET cadence = excluded.cadence, "
                "weekday = excluded.weekday, hour = excluded.hour, minute = excluded.minute, "
                "tz = excluded.tz, next_due = excluded.next_due, last_sent = excluded.last_sent, "
                "ignored = excluded.ignored, stopped = excluded.stopped, offered = 1",
                (user_id, state.cadence, state.weekday, state.hour, state.minute, state.tz,
                 _opt_ts(state.next_due), _opt_ts(state.last_sent), state.ignored,
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
                f"SELECT n.user_id, u.level, u.blocked_at IS NOT NULL, {_NUDGE_COLUMNS} "
                "FROM nudge_settings n JOIN users u ON u.user_id = n.user_id "
                "WHERE n.next_due IS NOT NULL AND n.next_due <= ? ORDER BY n.next_due LIMIT ?",
                (_ts(now), limit),
            )
            rows = list(await cursor.fetchall())
            await cursor.close()
            claimed: list[tuple[int, str | None, Due]] = []
            updates = []
            for row in rows:
                user_id, level, blocked = row[0], row[1], bool(row[2])
                state = _nudge_state(row[3:])
                due = Due("defer", replace(state, next_due=None)) if blocked else decide(state, now)
                new = due.state
                updates.append((_opt_ts(new.next_due), _opt_ts(new.last_sent), new.ignored,
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
            (user_id, event, _ts(since)),
        )
        return int(next(iter(rows))[0])

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
                (level, market, since, background, _ts(now), user_id),
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


async def _ensure_user(db: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    """The user's row, which plan items and nudge settings refer to (created if missing)."""
    await db.execute(
        "INSERT INTO users (user_id, created_at, updated_at, last_seen) "
        "VALUES (?, ?, ?, ?) ON CONFLICT(user_id) DO NOTHING",
        (user_id, _ts(now), _ts(now), _ts(now)),
    )


async def record_nudge_event(
    db: aiosqlite.Connection, user_id: int, tip_id: str | None, event: str, now: datetime
) -> None:
    """A nudge's outcome for the user (and the tip as seen) and in the anonymous daily counts."""
    await db.execute(
        "INSERT INTO nudge_events (user_id, tip_id, event, at) "
        "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE user_id = ?)",
        (user_id, tip_id, event, _ts(now), user_id),
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
