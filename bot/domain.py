"""The domain's shared types: what a user told the bot, the thread of a conversation, a resolved
query, and nudge settings. Plain data that understanding, answers, coaching and storage share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

# Context older than this is not used for follow-ups.
CONTEXT_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class NudgeState:
    """A user's nudge settings and where their schedule stands (times in UTC)."""

    cadence: str = "off"
    weekday: int = 0
    hour: int = 9
    minute: int = 0
    tz: str = "UTC"
    next_due: datetime | None = None
    last_sent: datetime | None = None
    ignored: int = 0
    stopped: bool = False

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone."""
        return ZoneInfo(self.tz)

    @property
    def active(self) -> bool:
        """True when nudges are on and not stopped."""
        return self.cadence != "off" and not self.stopped


@dataclass(frozen=True)
class Due:
    """What to do with a nudge that fell due: send a tip, send the stop notice, or wait."""

    action: str  # "tip" | "stop" | "defer"
    state: NudgeState


@dataclass(frozen=True)
class Profile:
    """What a user has told the bot about themselves, and their nudge settings."""

    user_id: int
    level: str | None = None
    market: str | None = None
    nudges: NudgeState = field(default_factory=NudgeState)
    level_since: date | None = None
    background: str | None = None  # where someone moving into ML comes from


# The fields of a profile that statements about oneself change (and "undo" restores).
PROFILE_FIELDS = ("level", "market", "level_since", "background")


def changed_fields(before: Profile, after: Profile) -> list[str]:
    """The profile fields that differ between two states, in PROFILE_FIELDS order."""
    return [f for f in PROFILE_FIELDS if getattr(before, f) != getattr(after, f)]


@dataclass(frozen=True)
class Context:
    """The thread of the conversation: the last answered query, or a question the bot asked."""

    intent: str
    level: str | None
    from_level: str | None
    market: str | None
    pending: str | None
    at: datetime
    company: str | None = None  # a big-tech company being discussed ("and L6?")
    # An action that waits for the user's "yes" on the next message ("forget", "plan_reset",
    # "plan_skip:ITEM,ITEM", "set_level:LEVEL"); any other message cancels it.
    confirm: str | None = None

    def fresh(self, now: datetime) -> bool:
        """True while the context is recent enough for follow-ups."""
        return now - self.at <= CONTEXT_TTL


@dataclass(frozen=True)
class Query:
    """A fully resolved request: an intent and the slots its answer is about."""

    intent: str
    level: str | None = None
    from_level: str | None = None
    market: str | None = None
    detail: str | None = None  # words for the planner, e.g. "export"


@dataclass(frozen=True)
class Event:
    """One answered message, for anonymous counts: its intent, and its text if unanswered."""

    intent: str
    unanswered: str | None = None


@dataclass(frozen=True)
class ShownPage:
    """A page of a long answer shown to a user: the answer's query, the page (0 first), when,
    and the question's words (they ordered its sections, so the rest is cut the same way)."""

    query: Query
    page: int
    at: datetime
    words: tuple[str, ...] = ()

    def fresh(self, now: datetime) -> bool:
        """True while "more" or the same question again goes on from this page."""
        return now - self.at <= CONTEXT_TTL
