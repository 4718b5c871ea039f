"""How values are kept in columns: moments as Unix seconds, nudge settings as nine columns, the
last page shown as seven."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.domain import NudgeState, Query, ShownPage

# The nudge settings' columns, in the order `nudge_state` reads them (table alias n).
NUDGE_COLUMNS = (
    "n.cadence, n.weekday, n.hour, n.minute, n.tz, n.next_due, n.last_sent, n.ignored, n.stopped"
)


def nudge_state(row: Sequence[Any]) -> NudgeState:
    """The nudge settings from NUDGE_COLUMNS' values (the defaults when the user has none)."""
    if row[0] is None:
        return NudgeState()
    cadence, weekday, hour, minute, tz, next_due, last_sent, ignored, stopped = row
    return NudgeState(
        cadence=cadence,
        weekday=weekday,
        hour=hour,
        minute=minute,
        tz=tz,
        next_due=dt(next_due) if next_due is not None else None,
        last_sent=dt(last_sent) if last_sent is not None else None,
        ignored=ignored,
        stopped=bool(stopped),
    )


def opt_ts(moment: datetime | None) -> int | None:
    """A moment, or nothing, as Unix seconds."""
    return ts(moment) if moment is not None else None


def ts(moment: datetime) -> int:
    """A moment as Unix seconds."""
    return int(moment.timestamp())


def dt(seconds: int) -> datetime:
    """Unix seconds as a moment in UTC."""
    return datetime.fromtimestamp(seconds, UTC)


# The columns of answer_pages (aliased p) that `shown_page` reads back, in its order.
PAGE_COLUMNS = "p.intent, p.level, p.from_level, p.market, p.page, p.shown_at, p.words"


def shown_page(row: Sequence[Any]) -> ShownPage | None:
    """A row of PAGE_COLUMNS as a shown page (None for a user with none: a left join's NULLs)."""
    intent, level, from_level, market, page, at, words = row
    if intent is None:
        return None
    return ShownPage(
        Query(intent, level, from_level, market), int(page), dt(at), tuple(words.split())
    )
