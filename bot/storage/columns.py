"""How values are kept in columns: moments as Unix seconds, nudge settings as nine columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.domain import NudgeState

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
