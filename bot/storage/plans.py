"""Plan items' statuses per user, and the archive of finished moves' plans."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.storage.columns import dt, ts
from bot.storage.database import Database
from bot.storage.profiles import ensure_user


class PlanStore(Database):
    """Which plan items a user marked done, in progress or not relevant."""

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
            await ensure_user(db, user_id, now)
            await db.executemany(
                "INSERT INTO plan_items (user_id, item_id, status, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(user_id, item_id) DO UPDATE SET status = excluded.status, "
                "updated_at = excluded.updated_at",
                [(user_id, item, status, ts(now)) for item, status in statuses.items()],
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
                (user_id, from_level, to_level, ts(now), done, len(relevant),
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
        return [(str(a), str(b), dt(t), int(d), int(n)) for a, b, t, d, n in rows]
