"""Nudges: when the next one is due, what a due one does, which tip it carries, and how users
ask for them in words. Pure: time is always a parameter."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain import Due, NudgeState
from bot.knowledge.model import PlanItem, Tip

CADENCES = ("off", "daily", "weekly")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Nothing is sent between these local times.
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
# Unanswered nudges in a row after which the cadence halves, and after which nudges stop.
SLOW_DOWN_AFTER = 3
STOP_AFTER = 6


class ScheduleError(ValueError):
    """A schedule request the bot cannot follow; the message says what is expected."""


def zone(name: str) -> str:
    """A validated IANA zone name (case-insensitive), or ScheduleError."""
    cleaned = name.strip().replace(" ", "_")
    if cleaned.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    matches = [z for z in _zones() if z.lower() == cleaned.lower()]
    if not matches:
        raise ScheduleError(
            f"“{name[:40]}” is not a time zone I know. Use an IANA name such as "
            "Europe/London, America/New_York or Asia/Kolkata."
        )
    try:
        ZoneInfo(matches[0])
    except ZoneInfoNotFoundError as exc:  # listed but not loadable: treat as unknown
        raise ScheduleError(f"“{name[:40]}” is not a time zone I can use.") from exc
    return matches[0]


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def quiet(local: datetime) -> bool:
    """True during quiet hours (21:00-08:00 local)."""
    t = local.timetz().replace(tzinfo=None)
    return t >= QUIET_FROM or t < QUIET_UNTIL


def interval_days(state: NudgeState) -> int:
    """Days between nudges: the cadence, doubled (or more) after unanswered ones."""
    if state.cadence == "daily":
        return 3 if state.ignored >= SLOW_DOWN_AFTER else 1
    return 14 if state.ignored >= SLOW_DOWN_AFTER else 7


def next_slot(state: NudgeState, after: datetime) -> datetime | None:
    """The first regular send time strictly after `after` (UTC), computed in the user's zone.

    Never on the local day of the last nudge (one a day at most), and after a slow-down never
    sooner than the slowed interval.
    """
    if not state.active:
        return None
    tz = state.zone
    local_after = after.astimezone(tz)
    first_day = local_after.date()
    if state.last_sent is not None:
        last_day = state.last_sent.astimezone(tz).date()
        first_day = max(first_day, last_day + timedelta(days=interval_days(state)))
    for offset in range(0, 15):
        day = first_day + timedelta(days=offset)
        if state.cadence == "weekly" and day.weekday() != state.weekday:
            continue
        candidate = _local(day, state.hour, state.minute, tz)
        if candidate > local_after:
            return candidate.astimezone(UTC)
    return None  # pragma: no cover - a weekly slot always exists within 15 days


def _local(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    # Wall-clock time in the zone; zoneinfo resolves DST shifts (the same 09:00 all year).
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def schedule(state: NudgeState, now: datetime) -> NudgeState:
    """The state with its next due time set from now (after a change of settings)."""
    return replace(state, next_due=next_slot(state, now))


def on_due(state: NudgeState, now: datetime) -> Due:
    """Decide what a due nudge does now, and the state to store in the same transaction.

    A nudge that fell due while the bot was down is sent once (the next slot is in the
    future), never as a burst; in quiet hours, or on a day that already had one, it waits.
    """
    if not state.active:
        return Due("defer", replace(state, next_due=None))
    tz = state.zone
    local = now.astimezone(tz)
    sent_today = (
        state.last_sent is not None and state.last_sent.astimezone(tz).date() == local.date()
    )
    if sent_today:
        return Due("defer", replace(state, next_due=next_slot(state, now)))
    if quiet(local):
        morning = _local(local.date(), QUIET_UNTIL.hour, QUIET_UNTIL.minute, tz)
        if local.time() >= QUIET_FROM:
            morning = _local(local.date() + timedelta(days=1), QUIET_UNTIL.hour, 0, tz)
        return Due("defer", replace(state, next_due=morning.astimezone(UTC)))
    if state.ignored >= STOP_AFTER:
        return Due("stop", replace(state, stopped=True, next_due=None, last_sent=now))
    sent = replace(state, last_sent=now, ignored=state.ignored + 1)
    return Due("tip", replace(sent, next_due=next_slot(sent, now)))


def snooze(state: NudgeState, now: datetime) -> NudgeState:
    """Put the next nudge a day later (in daytime), keeping the cadence."""
    later = now + timedelta(days=1)
    local = later.astimezone(state.zone)
    if quiet(local):
        day = local.date() + (timedelta(days=1) if local.time() >= QUIET_FROM else timedelta())
        later = _local(day, QUIET_UNTIL.hour, 0, state.zone).astimezone(UTC)
    return replace(state, next_due=later, ignored=0)


def reacted(state: NudgeState) -> NudgeState:
    """The user wrote or pressed a button: no longer ignoring nudges."""
    return replace(state, ignored=0) if state.ignored else state


def pick_step(
    open_items: Sequence[PlanItem], tips: Sequence[Tip], level: str | None, seen: Iterable[str]
) -> tuple[PlanItem | Tip, bool]:
    """The next nudge: an unfinished plan item not nudged yet this round, else a tip.

    Done items are never in `open_items`, so they are never nudged again.
    """
    seen_ids = set(seen)
    for item in open_items:
        if item.id not in seen_ids:
            return item, False
    return pick_tip(tips, level, seen_ids - {i.id for i in open_items})


def pick_tip(tips: Sequence[Tip], level: str | None, seen: Iterable[str]) -> tuple[Tip, bool]:
    """The next tip for a level, never repeating one until all were seen.

    Returns (tip, restarted): restarted is True when every tip had been seen and the round
    starts again (the caller forgets what was seen for this level).
    """
    suitable = [t for t in tips if level is None or level in t.levels] or list(tips)
    seen_ids = set(seen)
    for tip in suitable:
        if tip.id not in seen_ids:
            return tip, False
    return suitable[0], True


@dataclass(frozen=True)
class Request:
    """What a user asked of their nudges, in a command or in words."""

    cadence: str | None = None
    weekday: int | None = None
    hour: int | None = None
    minute: int | None = None


_TIME = re.compile(r"\b(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|h)?\b")
_OFF = ("off", "stop", "pause", "unsubscribe", "mute", "no more", "disable", "cancel", "never")
_DAILY = ("daily", "every day", "each day", "everyday", "per day", "a day")
_WEEKLY = ("weekly", "every week", "each week", "a week", "once a week")


# Parts of the day a user may name instead of a time, with the hour they stand for.
_PARTS_OF_DAY = (("morning", 9), ("afternoon", 14), ("evening", 18))


def parse_request(text: str) -> Request:
    """Cadence, weekday and time of day from "/nudges weekly fri 18:30" or "remind me daily"."""
    lowered = " " + text.lower().replace("’", "'") + " "
    cadence = _cadence(lowered)
    weekday = _weekday(lowered)
    if weekday is not None:
        # Naming a day means a weekly nudge unless the words already chose a cadence.
        cadence = cadence or "weekly"
    hour, minute = _clock_time(lowered) or _part_of_day(lowered)
    return Request(cadence, weekday, hour, minute)


def _cadence(lowered: str) -> str | None:
    """The cadence the words ask for; stopping wins over the others."""
    if any(f" {w}" in lowered for w in _OFF) or "don't" in lowered or "dont " in lowered:
        return "off"
    if any(w in lowered for w in _DAILY) or "more often" in lowered:
        return "daily"
    if any(w in lowered for w in _WEEKLY) or "less often" in lowered:
        return "weekly"
    return None


def _weekday(lowered: str) -> int | None:
    """The first day of the week named ("fri", "fridays"), Monday being 0."""
    for i, day in enumerate(DAYS):
        if re.search(rf"\b{day[:3]}(?:{day[3:]})?s?\b", lowered):
            return i
    return None


def _clock_time(lowered: str) -> tuple[int, int] | None:
    """The first time of day written as one ("18:30", "6pm", "at 9"); ScheduleError when it
    cannot be one ("25:00")."""
    for match in _TIME.finditer(lowered):
        h, m, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if not (match.group(2) or suffix or "at " + match.group(1) in lowered):
            continue  # a bare number ("3 tips") is not a time
        h = _hour_of_day(h, suffix)
        if h > 23 or m > 59:
            raise ScheduleError(
                f"{match.group(0).strip()} is not a time of day: use HH:MM, 24-hour."
            )
        return h, m
    return None


def _hour_of_day(hour: int, suffix: str | None) -> int:
    """The hour on a 24-hour clock ("6pm" is 18, "12am" is 0)."""
    if suffix == "pm" and hour < 12:
        return hour + 12
    if suffix == "am" and hour == 12:
        return 0
    return hour


def _part_of_day(lowered: str) -> tuple[int, int] | tuple[None, None]:
    """The hour a named part of the day stands for ("in the evening": 18:00), else none."""
    for word, hour in _PARTS_OF_DAY:
        if word in lowered:
            return hour, 0
    return None, None


def apply(state: NudgeState, request: Request, now: datetime) -> NudgeState:
    """The state after a request: validated (no quiet-hours times), re-scheduled, restarted."""
    hour = state.hour if request.hour is None else request.hour
    minute = state.minute if request.minute is None else request.minute
    if request.hour is not None and quiet(datetime(2000, 1, 1, hour, minute)):
        raise ScheduleError(
            f"{hour:02d}:{minute:02d} is in quiet hours (21:00–08:00): I never send then. "
            "Pick a time between 08:00 and 21:00."
        )
    cadence = request.cadence or (state.cadence if state.cadence != "off" else "weekly")
    weekday = state.weekday if request.weekday is None else request.weekday
    changed = replace(
        state, cadence=cadence, weekday=weekday, hour=hour, minute=minute, stopped=False, ignored=0
    )
    return schedule(changed, now)


def describe(state: NudgeState) -> str:
    """ "weekly on Monday at 09:00 (Europe/London)", or "off"."""
    if state.cadence == "off":
        return "off"
    if state.stopped:
        return "stopped after several unanswered nudges"
    when = f"at {state.hour:02d}:{state.minute:02d}"
    if state.cadence == "weekly":
        when = f"on {DAYS[state.weekday].capitalize()} {when}"
    slowed = ", slowed down for now" if state.ignored >= SLOW_DOWN_AFTER else ""
    return f"{state.cadence} {when} ({state.tz}){slowed}"


def local_time(moment: datetime, tz: str) -> str:
    """ "Monday 24 Nov, 09:00" in the zone."""
    local = moment.astimezone(ZoneInfo(tz))
    return local.strftime("%A %d %b, %H:%M")
