"""What an operator sees in /stats: users, activity, questions per intent, unanswered questions
and what nudges did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.columns import ts
from bot.storage.database import Database

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


class StatsStore(Database):
    """Counts for the operator, read only."""

    async def stats(self, now: datetime) -> Stats:
        """Counts for the operator (read-only: the unanswered list is capped as it is written)."""
        week_ago = now - timedelta(days=7)
        users = await self._db.execute_fetchall(
            "SELECT COUNT(*), COALESCE(SUM(last_seen >= ?), 0), "
            "COALESCE(SUM(blocked_at IS NOT NULL), 0) FROM users",
            (ts(week_ago),),
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
