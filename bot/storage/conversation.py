"""Each message's state: the profile with the conversation context (nudge settings, the last page
shown) read in one statement, and written back with the message's counts in one statement."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain import Context, Event, Profile, ShownPage
from bot.storage.columns import NUDGE_COLUMNS, PAGE_COLUMNS, dt, nudge_state, shown_page, ts
from bot.storage.database import Database


class ConversationStore(Database):
    """The per-message reads and writes: they run for every message, so each is one statement."""

    async def load(self, user_id: int) -> tuple[Profile, Context | None]:
        """A user's profile (empty if unknown) and last conversation context."""
        profile, context, _ = await self.load_turn(user_id)
        return profile, context

    async def load_turn(self, user_id: int) -> tuple[Profile, Context | None, ShownPage | None]:
        """What answering a message needs: the profile (empty if unknown), the last
        conversation context, and the last page of a long answer shown."""
        # One statement, one hop to the database thread: this runs for every message.
        rows = await self._db.execute_fetchall(
            "SELECT u.level, u.market, u.level_since, u.background, c.intent, c.level, "
            "c.from_level, c.market, c.pending, c.updated_at, c.company, c.confirm, "
            f"{PAGE_COLUMNS}, {NUDGE_COLUMNS} FROM users u "
            "LEFT JOIN conversation c ON c.user_id = u.user_id "
            "LEFT JOIN answer_pages p ON p.user_id = u.user_id "
            "LEFT JOIN nudge_settings n ON n.user_id = u.user_id WHERE u.user_id = ?",
            (user_id,),
        )
        if not rows:
            return Profile(user_id), None, None
        row = next(iter(rows))
        since = date.fromisoformat(row[2]) if row[2] else None
        profile = Profile(user_id, row[0], row[1], nudge_state(row[19:]), since, row[3])
        page = shown_page(row[12:19])
        if row[4] is None:
            return profile, None, page
        ctx = Context(row[4], row[5], row[6], row[7], row[8], dt(row[9]), row[10], row[11])
        return profile, ctx, page

    async def drop_confirm(self, user_id: int) -> None:
        """Forget a question waiting for the user's "yes", if one waits (one statement; the
        rest of the conversation and the profile are left as they are)."""
        async with self._lock:
            await self._db.execute(
                "UPDATE conversation SET confirm = NULL WHERE user_id = ? AND confirm IS NOT NULL",
                (user_id,),
            )

    async def save(
        self,
        profile: Profile,
        context: Context | None,
        now: datetime,
        event: Event | None = None,
        resume_nudges_at: datetime | None = None,
        page: ShownPage | None = None,
    ) -> None:
        """Store a profile, its conversation context, the message's counts and the `page` of a
        long answer it was shown (if any), atomically.

        Writing to the bot answers any nudge (the unanswered count starts again); after a block,
        `resume_nudges_at` puts the user back on the schedule.
        """
        since = profile.level_since.isoformat() if profile.level_since else None
        # One statement (migration 11's trigger does the writes): one trip to the database
        # thread for every message instead of seven, and atomic like any statement.
        async with self._lock:
            await self._db.execute(
                "INSERT INTO turn_writes (user_id, level, market, level_since, background, at, "
                "resume_at, day, intent, unanswered, ctx_intent, ctx_level, ctx_from_level, "
                "ctx_market, ctx_pending, ctx_at, ctx_company, ctx_confirm, page_intent, "
                "page_level, page_from_level, page_market, page, page_at, page_words) "
                f"VALUES ({', '.join('?' * 25)})",
                (
                    profile.user_id,
                    profile.level,
                    profile.market,
                    since,
                    profile.background,
                    ts(now),
                    ts(resume_nudges_at) if resume_nudges_at is not None else None,
                    now.date().isoformat(),
                    event.intent if event else None,
                    (event.unanswered or None) if event else None,
                    *_context_values(context),
                    *_page_values(page),
                ),
            )


def _context_values(ctx: Context | None) -> tuple[object, ...]:
    """The turn_writes ctx_* values of a conversation context (all NULL for none)."""
    if ctx is None:
        return (None,) * 8
    return (ctx.intent, ctx.level, ctx.from_level, ctx.market, ctx.pending, ts(ctx.at),
            ctx.company, ctx.confirm)  # fmt: skip


def _page_values(page: ShownPage | None) -> tuple[object, ...]:
    """The turn_writes page_* values of a page shown (all NULL for none)."""
    if page is None:
        return (None,) * 7
    q = page.query
    return (q.intent, q.level, q.from_level, q.market, page.page, ts(page.at),
            " ".join(page.words))  # fmt: skip
