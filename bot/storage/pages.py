"""Which page of a long answer each user has seen: "more" shows the next one."""

from __future__ import annotations

from bot.domain import ShownPage
from bot.storage.columns import PAGE_COLUMNS, shown_page, ts
from bot.storage.database import Database


class PageStore(Database):
    """One row per user: the query of the last long answer, the last page shown (0 first) and
    when."""

    async def shown_page(self, user_id: int) -> ShownPage | None:
        """The last long answer's query, the page of it shown last and when, if any."""
        rows = await self._db.execute_fetchall(
            f"SELECT {PAGE_COLUMNS} FROM answer_pages p WHERE user_id = ?", (user_id,)
        )
        return shown_page(next(iter(rows))) if rows else None

    async def show_page(self, user_id: int, shown: ShownPage) -> None:
        """Remember the page of a long answer just shown (the user exists)."""
        q = shown.query
        # One statement, atomic on its own: one trip to the database thread, not three.
        await self.write(
            "INSERT INTO answer_pages (user_id, intent, level, from_level, market, page, "
            "shown_at, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO "
            "UPDATE SET intent = excluded.intent, level = excluded.level, "
            "from_level = excluded.from_level, market = excluded.market, "
            "page = excluded.page, shown_at = excluded.shown_at, words = excluded.words",
            (user_id, q.intent, q.level, q.from_level, q.market, shown.page,
             ts(shown.at), " ".join(shown.words)),
        )  # fmt: skip
